import type { IsoDate, Rater } from '../contracts/common.js'
import { groupBy } from './group-by.js'

/** One stored rating with the session facts the domain needs. Scores in tenths. */
export interface RatingFact {
  readonly ratingId: string
  readonly sessionId: string
  readonly heldOn: IsoDate
  /** ISO 8601 instant the rating was created; orders two ratings on the same date. */
  readonly createdAt: string
  readonly memberId: string
  readonly instrument: string
  readonly rater: Rater
  readonly raterMemberId: string | null
  readonly items: readonly number[] | null
  readonly total: number
}

/** What makes a series one series: member, instrument, rater and rater member. */
export interface SeriesIdentity {
  readonly memberId: string
  readonly instrument: string
  readonly rater: Rater
  readonly raterMemberId: string | null
}

export interface SeriesPoint {
  readonly ratingId: string
  readonly sessionId: string
  /** 1-based position in this series, not the family's count of conversations. */
  readonly sessionNumber: number
  readonly heldOn: IsoDate
  readonly createdAt: string
  readonly total: number
  readonly items: readonly number[] | null
}

export interface SeriesFacts extends SeriesIdentity {
  /** Ordered by date, then creation; never empty. */
  readonly points: readonly SeriesPoint[]
}

export interface SeriesOrder {
  /** Member ids in display order; members not listed follow, by id. */
  readonly memberOrder?: readonly string[]
  /** Instrument codes in display order; instruments not listed follow, by code. */
  readonly instrumentOrder?: readonly string[]
}

/** Self first, then collateral raters in the order of the rater enum. */
const RATER_RANK: Record<Rater, number> = {
  self: 0,
  parent: 1,
  caretaker: 2,
  teacher: 3,
  coordinator: 4,
  other: 5,
}

/**
 * Code-unit order. `localeCompare` would depend on the machine's ICU data and locale, and the
 * output order must be the same on every server.
 */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Creation instants may come with different precision or offsets, so compare them as instants
 * first; equal or unparsable ones fall back to the text so the order stays total.
 */
function compareInstants(a: string, b: string): number {
  const difference = Date.parse(a) - Date.parse(b)
  if (Number.isFinite(difference) && difference !== 0) return Math.sign(difference)
  return compareStrings(a, b)
}

/** The order of points in a series: date, then creation, then id so the order is total. */
export function comparePointOrder(
  a: { readonly heldOn: IsoDate; readonly createdAt: string; readonly ratingId: string },
  b: { readonly heldOn: IsoDate; readonly createdAt: string; readonly ratingId: string },
): number {
  return compareStrings(a.heldOn, b.heldOn) || compareInstants(a.createdAt, b.createdAt) || compareStrings(a.ratingId, b.ratingId)
}

function rankIn(order: readonly string[] | undefined): (value: string) => number {
  const ranks = new Map((order ?? []).map((value, index) => [value, index]))
  return (value) => ranks.get(value) ?? Number.MAX_SAFE_INTEGER
}

export function seriesKey(identity: SeriesIdentity): string {
  return JSON.stringify([identity.memberId, identity.instrument, identity.rater, identity.raterMemberId])
}

/** A cheaper key for grouping in memory (no id or code holds a space); seriesKey is the stored one. */
function groupKey(r: SeriesIdentity): string {
  return `${r.memberId} ${r.instrument} ${r.rater} ${r.raterMemberId ?? ''}`
}

/** Each series' identity and intake (the total of its first point), without building the series. */
export function seriesIntakes(ratings: readonly RatingFact[]): (SeriesIdentity & { intake: number })[] {
  const first = new Map<string, RatingFact>()
  for (const rating of ratings) {
    const key = groupKey(rating)
    const seen = first.get(key)
    if (!seen || comparePointOrder(rating, seen) < 0) first.set(key, rating)
  }
  return [...first.values()].map((r) => ({ memberId: r.memberId, instrument: r.instrument, rater: r.rater, raterMemberId: r.raterMemberId, intake: r.total }))
}

export function sameSeries(a: SeriesIdentity, b: SeriesIdentity): boolean {
  return a.memberId === b.memberId && a.instrument === b.instrument && a.rater === b.rater && a.raterMemberId === b.raterMemberId
}

/**
 * Groups ratings into series and numbers their points.
 *
 * Series order: member (by `memberOrder`, then id), instrument (by `instrumentOrder`, then code),
 * rater (self first), rater member (none first, then id). Points: by `heldOn`, then `createdAt`,
 * then rating id, so the same ratings always give the same payload.
 */
export function buildSeries(ratings: readonly RatingFact[], order: SeriesOrder = {}): SeriesFacts[] {
  const groups = groupBy(ratings, groupKey)

  const memberRank = rankIn(order.memberOrder)
  const instrumentRank = rankIn(order.instrumentOrder)
  const series = [...groups.values()].map((group): SeriesFacts => {
    const sorted = [...group].sort(comparePointOrder)
    const first = sorted[0]
    return {
      memberId: first.memberId,
      instrument: first.instrument,
      rater: first.rater,
      raterMemberId: first.raterMemberId,
      points: sorted.map((rating, index) => ({
        ratingId: rating.ratingId,
        sessionId: rating.sessionId,
        sessionNumber: index + 1,
        heldOn: rating.heldOn,
        createdAt: rating.createdAt,
        total: rating.total,
        items: rating.items,
      })),
    }
  })

  return series.sort(
    (a, b) =>
      memberRank(a.memberId) - memberRank(b.memberId) ||
      compareStrings(a.memberId, b.memberId) ||
      instrumentRank(a.instrument) - instrumentRank(b.instrument) ||
      compareStrings(a.instrument, b.instrument) ||
      RATER_RANK[a.rater] - RATER_RANK[b.rater] ||
      compareNullableIds(a.raterMemberId, b.raterMemberId),
  )
}

function compareNullableIds(a: string | null, b: string | null): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return compareStrings(a, b)
}

/** The latest point of a series (series are never empty). */
export function latestPoint(series: SeriesFacts): SeriesPoint {
  return series.points[series.points.length - 1]
}
