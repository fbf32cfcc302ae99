const formats = new Map<string, Intl.DateTimeFormat>()

/** Today's calendar date in a time zone ("today" is the municipality's, api.md). */
export function todayIn(timeZone: string, now: Date = new Date()): string {
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
