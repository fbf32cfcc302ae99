import { html, nothing, type TemplateResult } from 'lit'
import { live } from 'lit/directives/live.js'
import type { InstrumentKind } from '../../service/contracts/common.js'
import { itemField, ratingKey, totalField, type Participant, type RatingDraft, type RatingMode } from '../form/session-draft.js'
import type { Catalogue, Formatters } from '../i18n/index.js'
import { itemMaxOf, totalMaxOf } from '../instruments.js'
import { describedBy, domId, errorFor } from './field-errors.js'

/** What one rating's fieldset reads from the form and how it changes the draft. */
export interface RatingContext {
  t: Catalogue
  f: Formatters
  ratings: Record<string, RatingDraft>
  errors: ReadonlyMap<string, string>
  setMode(key: string, mode: RatingMode): void
  setItem(key: string, index: number, value: number): void
  setTotal(key: string, total: string): void
}

/**
 * One person's rating of one kind, as a card of the session form: how it is entered (sliders,
 * a total from paper, or not this time), then a 0–10 slider per item or the total's field, each
 * with its error. Nothing when the person has no form of this kind (under 3) or no draft yet.
 */
export function ratingFieldset(p: Participant, kind: InstrumentKind, c: RatingContext): TemplateResult | typeof nothing {
  const facts = kind === 'outcome' ? p.outcome : p.alliance
  const key = ratingKey(p.member.id, kind)
  const r = c.ratings[key]
  if (!facts || !r) return nothing
  const { t, f } = c
  const id = domId(key)
  const labels = t.itemLabels[facts.code] ?? []
  const modes: [RatingMode, string][] = [
    ['scales', t.modeScales],
    ['total', t.modeTotal],
    ['skip', t.modeSkip],
  ]
  const invalid = c.errors.has(key)
  return html`<fieldset id=${id} part="fieldset" class=${invalid ? 'invalid' : ''} aria-describedby=${describedBy(c.errors, key)}>
    <legend>${p.member.alias}<span class="instrument">${t.formFor(facts.code, f.integer(p.age ?? 0))}</span></legend>
    ${errorFor(c.errors, key)}
    <fieldset class="modes">
      <legend class="visually-hidden">${t.howEntered(p.member.alias)}</legend>
      ${modes.map(
        ([mode, label]) =>
          html`<label class="mode">
            <input type="radio" name=${`${id}-mode`} value=${mode} .checked=${live(r.mode === mode)} @change=${() => c.setMode(key, mode)} /><span
              >${label}</span
            >
          </label>`,
      )}
    </fieldset>
    ${
      r.mode === 'scales'
        ? r.items.map((value, i) => {
            const field = itemField(key, i)
            const fid = domId(field)
            const set = value !== null
            return html`<div class=${set ? 'slider' : 'slider unset'} part="slider" id=${`${fid}-wrap`}>
              <div class="slider-head">
                <label for=${fid}>${labels[i] ?? f.integer(i + 1)}</label>
                <span class="value" aria-hidden="true">${set ? f.score(value) : t.notSet}</span>
              </div>
              <input
                id=${fid}
                type="range"
                min="0"
                max=${itemMaxOf(facts)}
                step="0.1"
                .value=${live(String(value ?? itemMaxOf(facts) / 2))}
                aria-valuetext=${set ? f.score(value) : t.notSet}
                aria-invalid=${c.errors.has(field) ? 'true' : 'false'}
                aria-describedby=${describedBy(c.errors, field)}
                @input=${(e: Event) => c.setItem(key, i, Number((e.target as HTMLInputElement).value))}
              />
              <div class="ends" aria-hidden="true"><span>${f.integer(0)}</span><span>${f.integer(itemMaxOf(facts))}</span></div>
              ${errorFor(c.errors, field)}
            </div>`
          })
        : r.mode === 'total'
          ? html`<div class="field">
              <label for=${domId(totalField(key))}>${t.totalLabel(f.integer(totalMaxOf(facts)))}</label>
              <input
                id=${domId(totalField(key))}
                class="total"
                type="text"
                inputmode="decimal"
                autocomplete="off"
                .value=${live(r.total)}
                aria-invalid=${c.errors.has(totalField(key)) ? 'true' : 'false'}
                aria-describedby=${describedBy(c.errors, totalField(key))}
                @input=${(e: Event) => c.setTotal(key, (e.target as HTMLInputElement).value)}
              />
              ${errorFor(c.errors, totalField(key))}
            </div>`
          : nothing
    }
  </fieldset>`
}
