import type { InstrumentDef } from './instruments.js'

/** A rating's scores as entered, already in tenths: items, or a total alone (re-keyed from paper). */
export interface EnteredScores {
  readonly items: readonly number[] | null
  readonly total: number | null
}

export interface ScoreProblem {
  /** JSON Pointer relative to the rating (`/items/2`); the edge prefixes the rating's own path. */
  readonly path: string
  readonly message: string
}

export type ScoredRating =
  { readonly ok: true; readonly items: readonly number[] | null; readonly total: number } | { readonly ok: false; readonly problems: readonly ScoreProblem[] }

function isTenths(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max
}

/**
 * Checks a rating against its instrument and gives its total. Either every item or the total
 * alone: nothing is computed from an incomplete set of items, and a missing item is never 0.
 */
export function scoreRating(instrument: InstrumentDef, scores: EnteredScores): ScoredRating {
  const maxTotal = instrument.itemCount * instrument.itemMax
  if ((scores.items === null) === (scores.total === null)) {
    return { ok: false, problems: [{ path: '', message: 'give either items or total, not both and not neither' }] }
  }
  if (scores.total !== null) {
    return isTenths(scores.total, maxTotal)
      ? { ok: true, items: null, total: scores.total }
      : { ok: false, problems: [{ path: '/total', message: `must be 0–${maxTotal} tenths` }] }
  }
  const items = scores.items ?? []
  const problems: ScoreProblem[] = []
  if (items.length !== instrument.itemCount) {
    problems.push({ path: '/items', message: `${instrument.code} has exactly ${instrument.itemCount} item(s)` })
  }
  items.forEach((item, index) => {
    if (!isTenths(item, instrument.itemMax)) {
      problems.push({ path: `/items/${index}`, message: `must be 0–${instrument.itemMax} tenths` })
    }
  })
  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, items: [...items], total: items.reduce((sum, item) => sum + item, 0) }
}
