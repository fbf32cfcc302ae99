import { html, nothing, type TemplateResult } from 'lit'

/**
 * How a form field shows its error: a message under it whose id the field's aria-describedby
 * names, so a screen reader reads the message with the field.
 */

/** Field names contain member ids and dots; ids in the shadow root use only safe characters. */
export function domId(field: string): string {
  return `f-${field.replace(/[^a-zA-Z0-9_-]/g, '_')}`
}

export function errorFor(errors: ReadonlyMap<string, string>, field: string): TemplateResult | typeof nothing {
  const message = errors.get(field)
  return message ? html`<p class="field-error" id=${`${domId(field)}-error`}>${message}</p>` : nothing
}

/** The ids that describe a field: its hints, and its error when it has one. */
export function describedBy(errors: ReadonlyMap<string, string>, field: string, ...others: string[]): string | typeof nothing {
  const ids = [...others]
  if (errors.has(field)) ids.push(`${domId(field)}-error`)
  return ids.length ? ids.join(' ') : nothing
}
