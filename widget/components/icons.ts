import { svg, html, type TemplateResult } from 'lit'
import type { Severity } from '../../service/contracts/common.js'
import type { LegendEntry, PointShape } from '../chart/model.js'

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

function markerShape(shape: PointShape, colour: number) {
  const cls = `fill c${colour + 1}`
  switch (shape) {
    case 'rect':
      return svg`<rect class=${cls} x="10" y="3" width="8" height="8"/>`
    case 'triangle':
      return svg`<path class=${cls} d="M14 2.5 18.5 11h-9Z"/>`
    case 'rectRot':
      return svg`<path class=${cls} d="M14 1.8 19 7l-5 5.2L9 7Z"/>`
    default:
      return svg`<circle class=${cls} cx="14" cy="7" r="4.2"/>`
  }
}

/** A small picture of what a legend entry looks like in the chart. */
export function legendSwatch(entry: LegendEntry): TemplateResult {
  let body
  switch (entry.kind) {
    case 'line':
      body = svg`<line class="stroke c${(entry.colour ?? 0) + 1}" x1="1" y1="7" x2="27" y2="7" stroke-width="2.5"/>${markerShape(entry.shape ?? 'circle', entry.colour ?? 0)}`
      break
    case 'trend':
      body = svg`<line class="stroke trend" x1="1" y1="7" x2="27" y2="7" stroke-width="2" stroke-dasharray="5 3"/>`
      break
    case 'cutoff':
      body = svg`<rect class="fill cutoff-band" x="0" y="7" width="28" height="7"/><line class="stroke cutoff-line" x1="0" y1="7" x2="28" y2="7" stroke-width="1.5"/>`
      break
    case 'reference':
      body = svg`<rect class="fill reference-band" x="0" y="0" width="28" height="8"/><line class="stroke reference-line" x1="0" y1="8" x2="28" y2="8" stroke-width="1.5" stroke-dasharray="1 3"/>`
      break
    case 'expected':
      body = svg`<rect class="fill expected-band" x="0" y="2" width="28" height="10"/>`
      break
    case 'median':
      body = svg`<line class="stroke expected-line" x1="1" y1="7" x2="27" y2="7" stroke-width="1.5" stroke-dasharray="2 3"/>`
      break
  }
  return html`<svg class="swatch" viewBox="0 0 28 14" aria-hidden="true" focusable="false">${body}</svg>`
}
