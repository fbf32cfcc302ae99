import type { InstrumentKind } from '../service/contracts/common.js'
import { instrumentFor, type InstrumentDef } from '../service/domain/instruments.js'

/**
 * The shipped instruments as the migrations seed them (test/db/instrument-seed.test.ts holds
 * this table to the database), cut to what the widget needs without asking the service: which
 * form a person's age calls for and how it is laid out. Scores in tenths, as in the domain.
 * Cutoffs, statuses and flags are the service's alone, so no thresholds here; an instrument the
 * widget does not know is still charted, with its scale taken from the data.
 */
export type InstrumentFacts = Pick<InstrumentDef, 'code' | 'kind' | 'minAge' | 'maxAge' | 'itemCount' | 'itemMax'>

export const instruments: readonly InstrumentFacts[] = [
  { code: 'ORS', kind: 'outcome', minAge: 13, maxAge: null, itemCount: 4, itemMax: 100 },
  { code: 'CORS', kind: 'outcome', minAge: 6, maxAge: 12, itemCount: 4, itemMax: 100 },
  { code: 'YCORS', kind: 'outcome', minAge: 3, maxAge: 5, itemCount: 1, itemMax: 100 },
  { code: 'SRS', kind: 'alliance', minAge: 13, maxAge: null, itemCount: 4, itemMax: 100 },
  { code: 'CSRS', kind: 'alliance', minAge: 6, maxAge: 12, itemCount: 4, itemMax: 100 },
  { code: 'YCSRS', kind: 'alliance', minAge: 3, maxAge: 5, itemCount: 1, itemMax: 100 },
]

/** The highest score of one item in points, the unit of the API and of everything the widget shows. */
export const itemMaxOf = (i: InstrumentFacts) => i.itemMax / 10

/** The highest possible total in points. */
export const totalMaxOf = (i: InstrumentFacts) => (i.itemCount * i.itemMax) / 10

/** The highest possible total of an instrument in points, or null when the widget does not know it. */
export function totalMax(code: string): number | null {
  const i = instruments.find((candidate) => candidate.code === code)
  return i ? totalMaxOf(i) : null
}

/**
 * The form of this kind for a person of this age (null: under 3, or no age yet), by the domain's
 * rule, the one the service checks each rating against. The rule reads only the kind and the age
 * range, all these facts need to carry for it.
 */
export function instrumentOn(kind: InstrumentKind, age: number | null): InstrumentFacts | null {
  return age === null ? null : instrumentFor(kind, age, instruments as readonly InstrumentDef[])
}
