import { svg, html, type TemplateResult } from 'lit'
import type { Severity } from '../../service/contracts/common.js'

/**
 * Severity has a shape as well as a colour (triangle = alert, diamond = warning, circle = notice,
 * circle with a tick = none), the same shapes the chart draws in its flag lane. Icons are
 * decorative: the severity is always written out beside them.
 */
export function severityIcon(severity: Severity | null): TemplateResult {
  const cls = `icon sev-${severity ?? 'none'}`
  switch (severity) {
    case 'alert':
      return html`<svg class=${cls} viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        ${svg`<path fill="currentColor" d="M10 1.5 19.2 18H.8Z"/><path fill="#fff" d="M9 7h2v5.5H9zM9 14h2v2H9z"/>`}
      </svg>`
    case 'warning':
      return html`<svg class=${cls} viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        ${svg`<path fill="currentColor" d="M10 .8 19.2 10 10 19.2.8 10Z"/><path fill="#fff" d="M9 5.5h2v5.5H9zM9 12.5h2v2H9z"/>`}
      </svg>`
    case 'notice':
      return html`<svg class=${cls} viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        ${svg`<circle fill="currentColor" cx="10" cy="10" r="8.5"/><path fill="#fff" d="M9 8.5h2V15H9zM9 5h2v2H9z"/>`}
      </svg>`
    default:
      return html`<svg class=${cls} viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        ${svg`<circle fill="none" stroke="currentColor" stroke-width="2" cx="10" cy="10" r="8"/><path fill="none" stroke="currentColor" stroke-width="2.2" d="m6 10.2 2.8 2.8L14.2 7.5"/>`}
      </svg>`
  }
}
