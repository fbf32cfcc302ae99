import { svg, html, type TemplateResult } from 'lit'
import type { LegendEntry, PointShape } from '../chart/types.js'

/**
 * The legend's pictures: each line with its colour and marker shape, and the trend, band and
 * expected range as the chart draws them, coloured by the same `--_*` properties.
 */

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
