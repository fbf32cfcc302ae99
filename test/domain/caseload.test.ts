import fc from 'fast-check'
import t from 'tap'
import type { Severity } from '../../service/contracts/common.js'
import { caseloadEntryAt, caseloadPage, caseloadPosition, compareCaseload, type CaseloadEntry } from '../../service/domain/caseload.js'
import { severityOf, severityRank } from '../../service/domain/severity.js'

const flag = (severity: Severity) => ({ severity })

t.test('severityOf is the highest severity, or null without flags', async (t) => {
  t.equal(severityOf([]), null)
  t.equal(severityOf([flag('notice')]), 'notice')
  t.equal(severityOf([flag('notice'), flag('warning'), flag('notice')]), 'warning')
  t.equal(severityOf([flag('warning'), flag('alert'), flag('notice')]), 'alert')
  t.ok(severityRank(null) < severityRank('notice') && severityRank('notice') < severityRank('warning'))
  t.ok(severityRank('warning') < severityRank('alert'))
})

function entry(familyId: string, severity: Severity | null, flagCount: number, lastSessionOn: string | null): CaseloadEntry {
  return { familyId, severity, flags: Array(flagCount).fill(null), lastSessionOn }
}

t.test('most urgent first: severity, then more flags, then longest since the last session', async (t) => {
  const families = [
    entry('a', null, 0, '2026-01-01'),
    entry('b', 'notice', 1, '2026-02-01'),
    entry('c', 'alert', 1, '2026-03-01'),
    entry('d', 'warning', 3, '2026-03-01'),
    entry('e', 'warning', 2, '2025-12-01'),
    entry('f', 'warning', 2, null),
    entry('g', 'warning', 2, '2026-01-15'),
    entry('h', null, 0, null),
    entry('i', 'warning', 2, '2026-01-15'),
  ]
  t.same(
    [...families].sort(compareCaseload).map((family) => family.familyId),
    ['c', 'd', 'f', 'e', 'g', 'i', 'b', 'h', 'a'],
  )
})

t.test('property: the order is total and the same whatever order the families come in', async () => {
  const entryArb = fc.record({
    familyId: fc.uuid(),
    severity: fc.constantFrom<Severity | null>(null, 'notice', 'warning', 'alert'),
    flags: fc.array(fc.constant(null), { maxLength: 4 }),
    lastSessionOn: fc.option(fc.constantFrom('2026-01-01', '2026-02-01', '2026-03-01'), { nil: null }),
  })
  fc.assert(
    fc.property(fc.uniqueArray(entryArb, { selector: (e) => e.familyId, maxLength: 30 }), (entries) => {
      const once = [...entries].sort(compareCaseload).map((e) => e.familyId)
      const again = [...entries]
        .reverse()
        .sort(compareCaseload)
        .map((e) => e.familyId)
      return once.join() === again.join()
    }),
  )
})

t.test('property: pages that follow each other by position show every family once, in order', async () => {
  const entryArb = fc.record({
    familyId: fc.uuid(),
    severity: fc.constantFrom<Severity | null>(null, 'notice', 'warning', 'alert'),
    flags: fc.array(fc.constant(null), { maxLength: 4 }),
    lastSessionOn: fc.option(fc.constantFrom('2026-01-01', '2026-02-01', '2026-03-01'), { nil: null }),
  })
  fc.assert(
    fc.property(fc.uniqueArray(entryArb, { selector: (e) => e.familyId, maxLength: 30 }), fc.integer({ min: 1, max: 7 }), (entries, limit) => {
      const sorted = [...entries].sort(compareCaseload)
      const seen: string[] = []
      let after = null
      for (let pages = 0; pages <= sorted.length; pages++) {
        const { shown, more } = caseloadPage(sorted, after, limit)
        seen.push(...shown.map((e) => e.familyId))
        if (!more) break
        after = caseloadPosition(shown[shown.length - 1])
      }
      const entry = sorted[0]
      const roundTrip = entry === undefined || compareCaseload(caseloadEntryAt(caseloadPosition(entry)), entry) === 0
      return roundTrip && seen.join() === sorted.map((e) => e.familyId).join()
    }),
  )
})
