import type { IsoDate } from '../contracts/common.js'
import { firstOfTwelveMonthsEndingWith, lastDayOfMonth } from './calendar.js'

/**
 * Which cells of the outcome report may be shown (docs/rules.md "Aggregate outcome report").
 *
 * A cell of fewer than `minPersons` persons is hidden, and that alone does not keep anyone from
 * being recognised: the caller may ask neighbouring questions and subtract. With `?ageGroup=` the
 * answer without it, with `?coordinatorId=` the municipality's, with `to` one day earlier the
 * same period short of one day: each pair that differs by one to four persons gives those persons'
 * figures back. The rules, each in one place below:
 *
 * 1. Whole months [ours]. The period is widened to whole calendar months, so `from` and `to` a day
 *    apart in the same month ask the same question; date windows differ by whole months only.
 * 2. Threshold [practice; the value 5 is ours]: a cell of fewer than `minPersons` persons is
 *    hidden (the minimum frequency rule).
 * 3. Differencing [practice; which questions count as neighbours is ours]: a cell is hidden when
 *    a broader question the same caller can ask — without the age group, without the
 *    coordinator, over a longer run of whole months, or any mix of these — counts between 1 and
 *    `minPersons` − 1 persons more. The pair would give those persons back by subtraction.
 * 4. Complementary suppression [practice], in both directions of the table age group ×
 *    coordinator of the period, margins included: along any line whose total is shown, the hidden
 *    cells hold no one, or at least `minPersons` persons in at least two non-empty cells (one
 *    hidden cell next to a shown total is that total minus the shown cells). Otherwise the
 *    smallest shown cell of the line is hidden as well, or the total when none is left.
 * 5. Consistency [ours]: every answer is read off the same table, so `?ageGroup=g` is the `g` cell
 *    of the answer without it and a coordinator's answer is that coordinator's row of the table;
 *    whether a cell is shown never depends on how the question was put.
 *
 * Sources [published]: primary and secondary (complementary) suppression of frequency tables, and
 * disclosure by differencing between linked tables and nested classifications, in Hundepool et
 * al., Statistical Disclosure Control (Wiley 2012, doi:10.1002/9781118348239; the ESSnet handbook,
 * sdctools.github.io/HandbookSDC). Statistics Norway's practice is its GaussSuppression package
 * (Langsrud 2024, doi:10.1007/978-3-031-69651-0_6): SuppressSmallCounts suppresses small
 * frequencies and then, by Gaussian elimination over every linked cell and margin, whatever would
 * give them back; it also treats disclosive differences between cells (KDisclosurePrimary) and
 * tables released over time (IncrementalTimeSuppression). Rules 3 and 4 are a simple form of
 * that practice for one small table, not its optimisation: they may hide more than an exact audit
 * needs, and they check pairs of answers and the lines of one table, not every combination.
 *
 * What is guaranteed: two shown cells of which one contains the other differ by 0 or at least
 * `minPersons` persons, and along every line of the table whose total is shown, total minus the
 * shown cells is 0 or at least `minPersons`. Not guaranteed: sums and differences of three or
 * more answers over different months (a year minus its first five and last six months is the
 * seventh), and the same question asked again after new ratings moved someone's latest point.
 */

/** Cells with fewer persons than this are suppressed so that no one can be recognised. */
export const MIN_CELL_PERSONS = 5

/** A calendar month, `YYYY-MM`. */
export type Month = string

export function monthOf(date: IsoDate): Month {
  return date.slice(0, 7)
}

/** The period the report covers: whole calendar months from `from`'s month to `to`'s (rule 1). */
export function reportPeriod(period: { readonly from: IsoDate; readonly to: IsoDate }): { from: IsoDate; to: IsoDate } {
  return { from: `${monthOf(period.from)}-01`, to: lastDayOfMonth(period.to) }
}

/** The default period: the twelve calendar months that end with `to`'s month (from 0001-01 at the earliest). */
export const defaultFrom = firstOfTwelveMonthsEndingWith

/** What the rules need of a person: where they fall in the table and in time. */
export interface CountedPerson<G extends string> {
  /** The month of the latest point of the person's primary series. */
  readonly month: Month
  readonly ageGroup: G
  readonly coordinatorId: string
}

export interface HiddenCells<G extends string> {
  readonly groups: ReadonlySet<G>
  readonly all: boolean
}

const ALL = '*'
const keyOf = (group: string, coordinator: string) => JSON.stringify([group, coordinator])

/**
 * The hidden cells of the answer for one coordinator (or the whole municipality) over the months
 * `from`–`to`. `persons` is every person of the caller's view, whatever month, age group or
 * coordinator: the broader questions are counted from them.
 */
export function hiddenCells<G extends string>(input: {
  readonly groups: readonly G[]
  readonly persons: readonly CountedPerson<G>[]
  readonly from: Month
  readonly to: Month
  readonly coordinatorId?: string
  readonly minPersons?: number
}): HiddenCells<G> {
  const min = input.minPersons ?? MIN_CELL_PERSONS
  const inWindow = (month: Month) => month >= input.from && month <= input.to

  // Persons per cell (age group or ALL × coordinator or ALL) and month.
  const monthly = new Map<string, Map<Month, number>>()
  const rows = new Set<string>(input.coordinatorId === undefined ? [] : [input.coordinatorId])
  for (const person of input.persons) {
    if (inWindow(person.month)) rows.add(person.coordinatorId)
    for (const group of [person.ageGroup, ALL]) {
      for (const coordinator of [person.coordinatorId, ALL]) {
        const key = keyOf(group, coordinator)
        const months = monthly.get(key) ?? new Map<Month, number>()
        months.set(person.month, (months.get(person.month) ?? 0) + 1)
        monthly.set(key, months)
      }
    }
  }
  const count = (key: string) => {
    let n = 0
    for (const [month, persons] of monthly.get(key) ?? []) if (inWindow(month)) n += persons
    return n
  }

  /** Every number of persons a longer run of months adds to the cell (0 included). */
  const growths = (key: string): number[] => {
    const months = [...(monthly.get(key) ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const cumulative = (list: [Month, number][]) => list.reduce<number[]>((sums, [, n]) => [...sums, sums[sums.length - 1] + n], [0])
    const before = cumulative(months.filter(([month]) => month < input.from).reverse())
    const after = cumulative(months.filter(([month]) => month > input.to))
    return before.flatMap((b) => after.map((a) => a + b))
  }

  // Rule 3: the broader questions around each cell.
  const differenced = (group: string, coordinator: string): boolean => {
    const n = count(keyOf(group, coordinator))
    const broader = new Set([keyOf(group, coordinator), keyOf(ALL, coordinator), keyOf(group, ALL), keyOf(ALL, ALL)])
    for (const key of broader) {
      const base = count(key) - n
      if (growths(key).some((growth) => base + growth > 0 && base + growth < min)) return true
    }
    return false
  }

  const coordinators = [...rows].sort()
  const columns: string[] = [...input.groups, ALL]
  const sizes = new Map<string, number>()
  const hidden = new Set<string>()
  for (const coordinator of [...coordinators, ALL]) {
    for (const group of columns) {
      const key = keyOf(group, coordinator)
      const n = count(key)
      sizes.set(key, n)
      if (n < min || differenced(group, coordinator)) hidden.add(key) // rules 2 and 3
    }
  }

  // Rule 4, until no line needs another cell hidden.
  const lines: { inner: string[]; total: string }[] = [
    ...[...coordinators, ALL].map((coordinator) => ({ inner: input.groups.map((group) => keyOf(group, coordinator)), total: keyOf(ALL, coordinator) })),
    ...columns.map((group) => ({ inner: coordinators.map((coordinator) => keyOf(group, coordinator)), total: keyOf(group, ALL) })),
  ]
  for (let changed = true; changed;) {
    changed = false
    for (const line of lines) {
      const next = complementOf(line.inner, line.total, sizes, hidden, min)
      if (next !== null) {
        hidden.add(next)
        changed = true
      }
    }
  }

  const row = input.coordinatorId ?? ALL
  return { groups: new Set(input.groups.filter((group) => hidden.has(keyOf(group, row)))), all: hidden.has(keyOf(ALL, row)) }
}

/**
 * The next cell to hide along one line so that its hidden cells cannot be worked out from its
 * shown total (rule 4), or null when the line is safe as it is.
 */
function complementOf<K>(inner: readonly K[], total: K, sizes: ReadonlyMap<K, number>, hidden: ReadonlySet<K>, min: number): K | null {
  if (hidden.has(total)) return null
  const size = (key: K) => sizes.get(key) ?? 0
  const hiddenInner = inner.filter((key) => hidden.has(key))
  const persons = hiddenInner.reduce((sum, key) => sum + size(key), 0)
  const nonEmpty = hiddenInner.filter((key) => size(key) > 0).length
  if (persons === 0 || (persons >= min && nonEmpty >= 2)) return null
  const [smallest] = inner.filter((key) => !hidden.has(key)).sort((a, b) => size(a) - size(b))
  return smallest ?? total
}

/**
 * Rule 4 along one line whose total is shown: the cells to hide, those under MIN_CELL_PERSONS
 * first. When only the total would be left to hide, every cell is hidden and the total, which
 * then gives nothing but itself, stays.
 */
export function complementarySuppression<K>(sizes: ReadonlyMap<K, number>, min = MIN_CELL_PERSONS): Set<K> {
  const hidden = new Set([...sizes].filter(([, n]) => n < min).map(([key]) => key))
  const inner = [...sizes.keys()]
  const total = Symbol('total')
  for (;;) {
    const next = complementOf<K | typeof total>(inner, total, sizes, hidden, min)
    if (next === null || next === total) return hidden
    hidden.add(next)
  }
}
