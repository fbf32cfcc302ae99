import type { AgeGroup, InstrumentKind } from '../service/contracts/common.js'

/**
 * What the widget needs to know about the standard instruments (domain.md, "Instruments"):
 * how many items, the scale of one item, and which age group each form is for. The service
 * holds instruments as data; an instrument the widget does not know is still charted, with its
 * scale taken from the data.
 */
export interface InstrumentFacts {
  code: string
  kind: InstrumentKind
  items: number
  itemMax: number
  ageGroups: AgeGroup[]
}

export const instruments: Record<string, InstrumentFacts> = {
  ORS: { code: 'ORS', kind: 'outcome', items: 4, itemMax: 10, ageGroups: ['adolescent', 'adult'] },
  CORS: { code: 'CORS', kind: 'outcome', items: 4, itemMax: 10, ageGroups: ['child'] },
  YCORS: { code: 'YCORS', kind: 'outcome', items: 1, itemMax: 10, ageGroups: ['young-child'] },
  SRS: { code: 'SRS', kind: 'alliance', items: 4, itemMax: 10, ageGroups: ['adolescent', 'adult'] },
  CSRS: { code: 'CSRS', kind: 'alliance', items: 4, itemMax: 10, ageGroups: ['child'] },
  YCSRS: { code: 'YCSRS', kind: 'alliance', items: 1, itemMax: 10, ageGroups: ['young-child'] },
}

/** The highest possible total of an instrument, or null when the widget does not know it. */
export function totalMax(code: string): number | null {
  const i = instruments[code]
  return i ? i.items * i.itemMax : null
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * Whole years between two ISO calendar dates, by calendar fields only (no Date, no time zone).
 * A birthday on 29 February is reached on 1 March in other years.
 */
export function ageOn(birthDate: string, on: string): number | null {
  const b = isoDate.exec(birthDate)
  const d = isoDate.exec(on)
  if (!b || !d) return null
  const [by, bm, bd] = [Number(b[1]), Number(b[2]), Number(b[3])]
  const [y, m, dd] = [Number(d[1]), Number(d[2]), Number(d[3])]
  let age = y - by
  if (m < bm || (m === bm && dd < bd)) age -= 1
  return age
}

/** api.md: young-child 3–5, child 6–12, adolescent 13–17, adult 18+; nobody under 3 is rated. */
export function ageGroupOf(age: number | null): AgeGroup | null {
  if (age === null || age < 3) return null
  if (age <= 5) return 'young-child'
  if (age <= 12) return 'child'
  if (age <= 17) return 'adolescent'
  return 'adult'
}

/** The instrument that fits a person of this age group: ORS/SRS 13+, CORS/CSRS 6–12, YCORS/YCSRS 3–5. */
export function instrumentFor(group: AgeGroup | null, kind: InstrumentKind): InstrumentFacts | null {
  if (!group) return null
  return Object.values(instruments).find((i) => i.kind === kind && i.ageGroups.includes(group)) ?? null
}
