import fc from 'fast-check'
import t from 'tap'
import {
  addDays as calendarAddDays,
  ageOn,
  daysBetween,
  FIRST_DATE,
  firstOfTwelveMonthsEndingWith,
  LAST_DATE,
  lastDayOfMonth,
  parseIsoDate,
} from '../../service/domain/calendar.js'
import { addDays } from './fixtures/ratings.js'

t.test('ageOn counts whole years and changes on the birthday itself', async (t) => {
  t.equal(ageOn('2013-06-15', '2026-06-14'), 12, 'the day before the 13th birthday')
  t.equal(ageOn('2013-06-15', '2026-06-15'), 13, 'on the birthday')
  t.equal(ageOn('2013-06-15', '2026-06-16'), 13, 'the day after')
  t.equal(ageOn('2013-06-15', '2013-06-15'), 0, 'the day of birth')
  t.equal(ageOn('2013-06-15', '2013-06-14'), -1, 'before birth is negative, never a valid age')
})

t.test('a leap-day birthday comes on 1 March in common years and on 29 February in leap years', async (t) => {
  t.equal(ageOn('2008-02-29', '2021-02-28'), 12, 'common year: not yet on 28 February')
  t.equal(ageOn('2008-02-29', '2021-03-01'), 13, 'common year: on 1 March')
  t.equal(ageOn('2008-02-29', '2024-02-28'), 15, 'leap year: not yet on 28 February')
  t.equal(ageOn('2008-02-29', '2024-02-29'), 16, 'leap year: on 29 February')
})

t.test('ageOn is the same whatever the process time zone', async (t) => {
  const saved = process.env.TZ
  const answers = ['Pacific/Kiritimati', 'America/Adak', 'Europe/Oslo', 'UTC'].map((zone) => {
    process.env.TZ = zone
    return [ageOn('2012-12-31', '2025-12-31'), ageOn('2012-12-31', '2025-12-30'), daysBetween('2025-03-29', '2025-03-31')]
  })
  process.env.TZ = saved
  t.same(new Set(answers.map((answer) => answer.join())).size, 1)
  t.same(answers[0], [13, 12, 2], 'including across a daylight-saving change')
})

t.test('daysBetween counts calendar days, leap days included', async (t) => {
  t.equal(daysBetween('2024-02-28', '2024-03-01'), 2)
  t.equal(daysBetween('2023-02-28', '2023-03-01'), 1)
  t.equal(daysBetween('2025-01-01', '2024-01-01'), -366)
  t.equal(daysBetween('1999-12-31', '2000-03-01'), 61, '2000 is a leap year')
  t.equal(daysBetween('2100-02-28', '2100-03-01'), 1, '2100 is not')
})

t.test('daysBetween agrees with UTC date arithmetic everywhere', async () => {
  fc.assert(
    fc.property(
      fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2200, 0, 1)), noInvalidDate: true }),
      fc.integer({ min: -4000, max: 4000 }),
      (date, days) => {
        const start = date.toISOString().slice(0, 10)
        return daysBetween(start, addDays(start, days)) === days
      },
    ),
  )
})

t.test('parseIsoDate refuses what is not a calendar date', async (t) => {
  for (const bad of [
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-4-1',
    '14.03.2026',
    '2026-03-14T00:00:00Z',
    '',
    '0000-01-01',
    '0000-02-29',
    '10000-01-01',
    '-0001-01-01',
  ]) {
    t.throws(() => parseIsoDate(bad), RangeError, bad)
  }
  t.same(parseIsoDate('2024-02-29'), { year: 2024, month: 2, day: 29 })
})

t.test('dates run from 0001-01-01 to 9999-12-31: there is no year 0000', async (t) => {
  t.same(parseIsoDate(FIRST_DATE), { year: 1, month: 1, day: 1 })
  t.same(parseIsoDate(LAST_DATE), { year: 9999, month: 12, day: 31 })
  t.equal(daysBetween(FIRST_DATE, '0001-12-31'), 364)
})

const isDate = (d: string) => {
  try {
    parseIsoDate(d)
    return true
  } catch {
    return false
  }
}

t.test('lastDayOfMonth and firstOfTwelveMonthsEndingWith count whole calendar months, never before the first date', async (t) => {
  t.equal(lastDayOfMonth('2024-02-10'), '2024-02-29')
  t.equal(lastDayOfMonth('2025-02-01'), '2025-02-28')
  t.equal(lastDayOfMonth('1900-02-15'), '1900-02-28', 'a century is no leap year')
  t.equal(lastDayOfMonth('2000-02-15'), '2000-02-29', 'unless divisible by 400')
  t.equal(lastDayOfMonth('0004-02-01'), '0004-02-29', 'years below 100 are years, not 19xx')
  t.equal(lastDayOfMonth('9999-12-31'), LAST_DATE)
  t.equal(firstOfTwelveMonthsEndingWith('2026-03-14'), '2025-04-01')
  t.equal(firstOfTwelveMonthsEndingWith('2025-12-31'), '2025-01-01')
  t.equal(firstOfTwelveMonthsEndingWith('2025-01-01'), '2024-02-01')
  t.equal(firstOfTwelveMonthsEndingWith('9999-12-31'), '9999-01-01')
  t.equal(firstOfTwelveMonthsEndingWith('0002-01-01'), '0001-02-01')
  t.equal(firstOfTwelveMonthsEndingWith('0001-12-31'), FIRST_DATE)
  t.equal(firstOfTwelveMonthsEndingWith('0001-06-15'), FIRST_DATE, 'year 0000 does not exist, so the period starts on the first date')
  fc.assert(
    fc.property(fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), (date) => {
      const to = date.toISOString().slice(0, 10)
      const from = firstOfTwelveMonthsEndingWith(to)
      const end = lastDayOfMonth(to)
      // Twelve whole months (fewer only at the calendar's start): from the 1st to the month's last day.
      const months = (Number(end.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(end.slice(5, 7)) - Number(from.slice(5, 7)) + 1
      return from.endsWith('-01') && isDate(from) && isDate(end) && end >= to && (months === 12 || (from === FIRST_DATE && months < 12))
    }),
  )
})

t.test('addDays walks the calendar, leap days included, as the Date-based fixture does', async (t) => {
  t.equal(calendarAddDays('2024-02-28', 1), '2024-02-29')
  t.equal(calendarAddDays('2023-02-28', 1), '2023-03-01')
  t.equal(calendarAddDays('2024-03-01', -1), '2024-02-29')
  t.equal(calendarAddDays('2099-12-31', 1), '2100-01-01')
  t.equal(calendarAddDays('0001-01-01', 365), '0002-01-01', 'years below 100 are years, not 19xx')
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3_000_000 }), fc.integer({ min: -100_000, max: 100_000 }), (offset, days) => {
      const from = calendarAddDays('0400-01-01', offset)
      const to = calendarAddDays(from, days)
      return daysBetween(from, to) === days && (from < '1000' || to < '1000' || to === addDays(from, days))
    }),
  )
})
