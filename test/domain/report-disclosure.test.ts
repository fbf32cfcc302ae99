import t from 'tap'
import fc from 'fast-check'
import {
  aggregateOutcomes,
  reportPeriod,
  type OutcomeCell,
  type ReportAgeGroup,
  type ReportFamilyOutcome,
  type ReportPerson,
} from '../../service/domain/report.js'
import { hiddenCells, MIN_CELL_PERSONS } from '../../service/domain/report-disclosure.js'

const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06']
const GROUPS: ReportAgeGroup[] = ['child', 'adolescent', 'adult']
const COORDINATORS = ['c0', 'c1', 'c2']

/** One person as the report sees them; only the month, age group and coordinator vary. */
function person(index: number, month: number, day: number, ageGroup: ReportAgeGroup, coordinator: number): ReportPerson {
  return {
    memberId: `m${String(index).padStart(3, '0')}`,
    familyId: `f${coordinator}`,
    ageGroup,
    intake: 150 + index,
    latest: 250,
    latestOn: `${MONTHS[month]}-${String(day).padStart(2, '0')}`,
    sessions: 2,
    daysInService: 100 + index,
    firstAlliance: 330,
    cutoff: 250,
    status: 'recovered',
    collateralRaters: 0,
  }
}

const families: ReadonlyMap<string, ReportFamilyOutcome> = new Map(
  COORDINATORS.map((coordinatorId, i) => [`f${i}`, { coordinatorId, ending: null, leftBehind: false }]),
)

const population = fc
  .array(
    fc.record({
      month: fc.integer({ min: 0, max: MONTHS.length - 1 }),
      day: fc.integer({ min: 1, max: 28 }),
      ageGroup: fc.constantFrom(...GROUPS),
      // Skewed towards one coordinator and one month, so that small cells and near misses are common.
      coordinator: fc.constantFrom(0, 0, 0, 1, 1, 2),
    }),
    { maxLength: 120, size: 'max' },
  )
  .map((list) => list.map((p, i) => person(i, p.month, p.day, p.ageGroup, p.coordinator)))

type Group = ReportAgeGroup | 'all'
type Coordinator = string | 'all'
/** Shown persons of every cell of every answer: group, coordinator, first and last month. */
type Shown = Map<string, number | null>
const cellKey = (group: Group, coordinator: Coordinator, first: number, last: number) => `${group}|${coordinator}|${first}|${last}`

/** Every question the caller can put over these months, answered; the days inside a month vary. */
function everyAnswer(persons: readonly ReportPerson[]): Shown {
  const shown: Shown = new Map()
  const put = (key: string, c: OutcomeCell) => {
    if (shown.has(key) && shown.get(key) !== c.persons) throw new Error(`${key} answered two ways: ${shown.get(key)} and ${c.persons}`)
    shown.set(key, c.persons)
  }
  for (let first = 0; first < MONTHS.length; first++) {
    for (let last = first; last < MONTHS.length; last++) {
      for (const coordinatorId of [undefined, ...COORDINATORS, 'nobody']) {
        const coordinator = coordinatorId ?? 'all'
        const asked = { from: `${MONTHS[first]}-${first % 2 ? '01' : '17'}`, to: `${MONTHS[last]}-${last % 2 ? '28' : '03'}` }
        const whole = aggregateOutcomes({ ...asked, coordinatorId, persons, families })
        for (const g of whole.groups) put(cellKey(g.ageGroup, coordinator, first, last), g)
        put(cellKey('all', coordinator, first, last), whole.all)
        for (const ageGroup of GROUPS) {
          const one = aggregateOutcomes({ ...asked, ageGroup, coordinatorId, persons, families })
          // `put` throws when one age group is answered otherwise than in the answer without it.
          put(cellKey(ageGroup, coordinator, first, last), one.all)
          put(cellKey(ageGroup, coordinator, first, last), one.groups[0])
        }
      }
    }
  }
  return shown
}

const differencing = (d: number) => d > 0 && d < MIN_CELL_PERSONS

t.test('no two shown answers, one inside the other, differ by one to four persons', async (t) => {
  let checkedPairs = 0
  fc.assert(
    fc.property(population, (persons) => {
      const shown = everyAnswer(persons)
      for (const [key, n] of shown) {
        if (n === null) continue
        if (n < MIN_CELL_PERSONS) return false
        const [group, coordinator, first, last] = key.split('|')
        for (const broaderGroup of new Set([group, 'all'])) {
          for (const broaderCoordinator of new Set([coordinator, 'all'])) {
            for (let a = 0; a <= Number(first); a++) {
              for (let b = Number(last); b < MONTHS.length; b++) {
                const broader = shown.get(cellKey(broaderGroup as Group, broaderCoordinator, a, b))
                if (broader === null || broader === undefined) continue
                checkedPairs++
                if (differencing(broader - n)) throw new Error(`${cellKey(broaderGroup as Group, broaderCoordinator, a, b)} (${broader}) − ${key} (${n})`)
              }
            }
          }
        }
      }
      return true
    }),
    { numRuns: 60 },
  )
  t.ok(checkedPairs > 1000, `${checkedPairs} pairs of shown answers compared`)
})

t.test('along every line with a shown total, total minus the shown cells is 0 or at least five', async (t) => {
  let lines = 0
  fc.assert(
    fc.property(population, (persons) => {
      const shown = everyAnswer(persons)
      for (let first = 0; first < MONTHS.length; first++) {
        for (let last = first; last < MONTHS.length; last++) {
          const rest = (total: string, parts: string[]) => {
            const n = shown.get(total)
            if (n === null || n === undefined) return
            lines++
            const left = parts.reduce((sum, part) => sum - (shown.get(part) ?? 0), n)
            if (differencing(left)) throw new Error(`${total} (${n}) minus the shown of ${parts.join(', ')} leaves ${left}`)
          }
          for (const coordinator of ['all', ...COORDINATORS])
            rest(
              cellKey('all', coordinator, first, last),
              GROUPS.map((g) => cellKey(g, coordinator, first, last)),
            )
          for (const group of [...GROUPS, 'all'] as Group[])
            rest(
              cellKey(group, 'all', first, last),
              COORDINATORS.map((c) => cellKey(group, c, first, last)),
            )
        }
      }
      return true
    }),
    { numRuns: 60 },
  )
  t.ok(lines > 1000, `${lines} lines checked`)
})

t.test('the three neighbouring questions that gave one person away', async (t) => {
  const adults = (count: number, month: number, coordinator: number, from = 0) =>
    Array.from({ length: count }, (_, i) => person(from + i, month, 10, 'adult', coordinator))
  const period = { from: '2025-01-01', to: '2025-06-30' }

  const withChild = [...adults(6, 2, 0), person(50, 2, 10, 'child', 0)]
  t.equal(aggregateOutcomes({ ...period, persons: withChild, families }).all.persons, 7, 'everyone: 7')
  t.equal(aggregateOutcomes({ ...period, ageGroup: 'adult', persons: withChild, families }).all.persons, null, 'adults: hidden, 7 − 6 is one child')

  const twoCoordinators = [...adults(5, 2, 0), ...adults(1, 2, 1, 10)]
  t.equal(aggregateOutcomes({ ...period, persons: twoCoordinators, families }).all.persons, 6, 'everyone: 6')
  t.equal(aggregateOutcomes({ ...period, coordinatorId: 'c0', persons: twoCoordinators, families }).all.persons, null, 'c0: hidden, 6 − 5 is one adult of c1')

  const oneLater = [...adults(5, 2, 0), ...adults(1, 3, 0, 10)]
  t.equal(aggregateOutcomes({ from: '2025-01-01', to: '2025-04-01', persons: oneLater, families }).all.persons, 6, 'to April: 6')
  t.equal(
    aggregateOutcomes({ from: '2025-01-01', to: '2025-03-31', persons: oneLater, families }).all.persons,
    null,
    'to March: hidden, one adult ends in April',
  )
  t.same(
    aggregateOutcomes({ from: '2025-01-01', to: '2025-04-11', persons: oneLater, families }),
    aggregateOutcomes({ from: '2025-01-01', to: '2025-04-10', persons: oneLater, families }),
    'two days of one month ask the same question',
  )
})

t.test('whole months', async (t) => {
  t.same(reportPeriod({ from: '2025-02-17', to: '2025-02-17' }), { from: '2025-02-01', to: '2025-02-28' })
  t.same(reportPeriod({ from: '2024-01-31', to: '2024-02-01' }), { from: '2024-01-01', to: '2024-02-29' }, 'leap year')
  t.same(reportPeriod({ from: '2025-12-01', to: '2025-12-31' }), { from: '2025-12-01', to: '2025-12-31' })
})

t.test('complementary suppression in both directions: a hidden cell has a hidden partner on each line', async (t) => {
  // Coordinator c0: 10 adults, 5 children; c1: 1 adult, 6 children. The adult column would give c1's
  // adult back as 11 − 10 once c0's adults are known from c0's row (15 − 5).
  const cells = [
    ...Array.from({ length: 10 }, () => ({ month: '2025-03', ageGroup: 'adult', coordinatorId: 'c0' })),
    ...Array.from({ length: 5 }, () => ({ month: '2025-03', ageGroup: 'child', coordinatorId: 'c0' })),
    { month: '2025-03', ageGroup: 'adult', coordinatorId: 'c1' },
    ...Array.from({ length: 6 }, () => ({ month: '2025-03', ageGroup: 'child', coordinatorId: 'c1' })),
  ]
  const ask = (coordinatorId?: string) => hiddenCells({ groups: ['child', 'adult'], persons: cells, from: '2025-01', to: '2025-06', coordinatorId })
  t.same([...ask('c0').groups].sort(), ['adult', 'child'], 'c0: both groups hidden')
  t.same([...ask('c1').groups].sort(), ['adult', 'child'], 'c1: both groups hidden')
  t.equal(ask('c0').all, false, 'c0 overall shown (15)')
  t.equal(ask('c1').all, false, 'c1 overall shown (7)')
  t.same([...ask().groups], [], 'the municipality: both groups shown (11 and 11)')
})
