import type { IsoDate } from '../contracts/common.js'

/**
 * Calendar arithmetic on ISO dates as plain strings.
 *
 * Birth dates, session dates and "today" are calendar dates, not instants: going through
 * `new Date('2026-03-14')` and local time would let the server's time zone move a child's
 * birthday or a session by a day. Everything here is integer arithmetic on year, month, day.
 */

export interface CalendarDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * The dates the service takes: those with a four-digit year of the common era. There is no
 * year 0000 (1 BC precedes AD 1, and PostgreSQL refuses it), and a later year needs five digits.
 */
export const FIRST_DATE = '0001-01-01'
export const LAST_DATE = '9999-12-31'

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** Parses `YYYY-MM-DD`; throws on anything else, including impossible dates such as 2026-02-30. */
export function parseIsoDate(date: IsoDate): CalendarDate {
  const match = ISO_DATE.exec(date)
  if (!match) throw new RangeError(`Not an ISO calendar date: ${JSON.stringify(date)}`)
  const year = Number(match[1])
  const month = Number(match[2])
  const day = Number(match[3])
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`Not a calendar date: ${date}`)
  }
  return { year, month, day }
}

const formatIsoDate = ({ year, month, day }: CalendarDate): IsoDate =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`

/** The last day of the date's month. */
export function lastDayOfMonth(date: IsoDate): IsoDate {
  const { year, month } = parseIsoDate(date)
  return formatIsoDate({ year, month, day: daysInMonth(year, month) })
}

/**
 * The first day of the twelve calendar months that end with the date's month, never before
 * the first date (there is no year 0000).
 */
export function firstOfTwelveMonthsEndingWith(date: IsoDate): IsoDate {
  const { year, month } = parseIsoDate(date)
  const index = year * 12 + (month - 1) - 11
  const start = { year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 }
  return start.year < 1 ? FIRST_DATE : formatIsoDate(start)
}

/**
 * Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
 * Pure integer arithmetic, so no Date object and no time zone is involved.
 */
function dayNumber({ year, month, day }: CalendarDate): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

/** The calendar date of a day number (dayNumber's inverse, H. Hinnant's civil_from_days). */
function fromDayNumber(n: number): CalendarDate {
  const z = n + 719468
  const era = Math.floor(z / 146097)
  const dayOfEra = z - era * 146097
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365)
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const shifted = Math.floor((5 * dayOfYear + 2) / 153)
  const month = shifted < 10 ? shifted + 3 : shifted - 9
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day: dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1 }
}

/** The date `days` days after `date` (before it when negative). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return formatIsoDate(fromDayNumber(dayNumber(parseIsoDate(date)) + days))
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(parseIsoDate(to)) - dayNumber(parseIsoDate(from))
}

/**
 * Age in whole years on a date.
 *
 * Someone born on 29 February becomes a year older on 1 March in common years: until the
 * calendar has passed 29 February, the birthday has not come. This never makes a child older
 * early, which matters because age chooses the instrument and the cutoff.
 * Negative when `on` is before the birth date.
 */
export function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const birth = parseIsoDate(birthDate)
  const date = parseIsoDate(on)
  const birthdayPassed = date.month > birth.month || (date.month === birth.month && date.day >= birth.day)
  return date.year - birth.year - (birthdayPassed ? 0 : 1)
}

const formats = new Map<string, Intl.DateTimeFormat>()

/** Today's calendar date in a time zone ("today" is the municipality's, docs/api.md). */
export function todayIn(timeZone: string, now: Date = new Date()): IsoDate {
  let format = formats.get(timeZone)
  if (!format) {
    // Building a formatter is costly; there are few time zones, so each is built once.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    formats.set(timeZone, format)
  }
  return format.format(now)
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone })
    return true
  } catch {
    return false
  }
}
