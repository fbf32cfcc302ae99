import t from 'tap'
import { daysBetween, firstOfTwelveMonthsEndingWith, lastDayOfMonth } from '../../../service/domain/calendar.js'
import { testApp } from '../../helpers/app.js'

// The report's default period once began a year and a day before `to` by Date arithmetic, so
// 2024-02-29 (rolled over to 2023-03-01, then a day on) began on 2023-03-02 just as 2024-03-01
// did, and the period ending on the leap day lost a day. A year back is now twelve whole
// calendar months, computed in one place (domain/calendar.ts), leap days included.
const CASES: [to: string, from: string, end: string, days: number][] = [
  ['2024-02-29', '2023-03-01', '2024-02-29', 366],
  ['2024-03-01', '2023-04-01', '2024-03-31', 366],
  ['2025-02-28', '2024-03-01', '2025-02-28', 365],
  ['2023-03-01', '2022-04-01', '2023-03-31', 365],
]

t.test('twelve calendar months back from the leap day and its neighbours', async (t) => {
  for (const [to, from, end, days] of CASES) {
    t.equal(firstOfTwelveMonthsEndingWith(to), from, `${to}: from ${from}`)
    t.equal(lastDayOfMonth(to), end, `${to}: to ${end}`)
    t.equal(daysBetween(from, end) + 1, days, `${to}: ${days} days, none lost`)
  }
  t.not(firstOfTwelveMonthsEndingWith('2024-02-29'), firstOfTwelveMonthsEndingWith('2024-03-01'), 'the leap day and the day after start different periods')
})

t.test("the report's default period is those twelve months", async (t) => {
  const app = await testApp(t)
  for (const [to, from, end] of CASES) {
    const res = await app.call('GET', `/v1/reports/outcomes?to=${to}`)
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    t.match(res.json(), { from, to: end }, `to=${to} covers ${from} to ${end}`)
  }
})
