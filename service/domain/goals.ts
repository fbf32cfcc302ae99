import type { IsoDate, Rater } from '../contracts/common.js'
import type { Trend } from '../contracts/progress.js'
import { comparePointOrder } from './series.js'
import { trendOf } from './trend.js'

/**
 * Familiens plan: the family's own goals, each rated at conversations on the goal-based-outcome
 * scale, 0 (not at all) to 10 (goal reached), whole numbers [published: Law & Jacob, "Goals and
 * goal based outcomes (GBOs)", 3rd ed. 2015; Law, "The goal-based outcome (GBO) tool: guidance
 * notes", 2019 (CC BY-NC-SA 4.0): up to three goals per person, in their own words].
 */

/** The model's six areas of the family's plan, and other. */
export const GOAL_AREAS = ['housing', 'economy', 'work-or-activity', 'health', 'social-participation', 'school', 'other'] as const
export type GoalArea = (typeof GOAL_AREAS)[number]

export const GOAL_ENDINGS = ['achieved', 'dropped', 'replaced'] as const
export type GoalEnding = (typeof GOAL_ENDINGS)[number]

export const GOAL_SCORE_MIN = 0
export const GOAL_SCORE_MAX = 10

/**
 * Reliable change on the goal scale: 2.45 points [published: Edbrooke-Childs, Jacob, Law,
 * Deighton & Wolpert 2015, "Interpreting standardized and idiographic outcome measures in CAMHS:
 * what does change mean and how does it relate to functioning and experience?", Child and
 * Adolescent Mental Health 20(3), from routinely collected goal scores; the value later studies
 * of goal progress use]. Scores are whole numbers, so a change of 2.45 or more is one of 3 or more.
 */
export const GOAL_RELIABLE_CHANGE = 3

/**
 * The prompt `goal-no-progress` asks from this many rated conversations on [ours: four
 * conversations is about two months of the programme's usual rhythm; configurable].
 */
export const GOAL_NO_PROGRESS_SESSIONS = 4

/** The goal's maximum: a goal rated 10 is reached, however it started. */
export const GOAL_REACHED_SCORE = GOAL_SCORE_MAX

export type GoalStatus = 'reached' | 'improved' | 'no-reliable-change' | 'worse' | 'not-enough-data'

/** One stored goal rating with the session facts the rules need. */
export interface GoalRatingFact {
  readonly goalRatingId: string
  readonly goalId: string
  readonly sessionId: string
  readonly heldOn: IsoDate
  /** ISO 8601 instant; orders two ratings on the same date. */
  readonly createdAt: string
  readonly rater: Rater
  readonly raterMemberId: string | null
  /** A whole number 0–10. */
  readonly score: number
}

export interface GoalPoint {
  readonly goalRatingId: string
  readonly sessionId: string
  /** 1-based position in this series. */
  readonly sessionNumber: number
  readonly heldOn: IsoDate
  readonly score: number
}

/** One goal rated by one rater (two parents rating a child's goal are two series). */
export interface GoalSeriesFacts {
  readonly goalId: string
  readonly rater: Rater
  readonly raterMemberId: string | null
  /** Ordered by date, then creation; never empty. */
  readonly points: readonly GoalPoint[]
}

/** Self first, then the other raters in the order of the rater enum (as for ratings). */
const RATER_RANK: Record<Rater, number> = { self: 0, parent: 1, caretaker: 2, teacher: 3, coordinator: 4, other: 5 }

/** The goals' series: per goal, rater and rater member, points in date and creation order. */
export function buildGoalSeries(ratings: readonly GoalRatingFact[]): GoalSeriesFacts[] {
  const groups = new Map<string, GoalRatingFact[]>()
  for (const r of ratings) {
    const key = `${r.goalId} ${r.rater} ${r.raterMemberId ?? ''}`
    const group = groups.get(key)
    if (group) group.push(r)
    else groups.set(key, [r])
  }
  const series = [...groups.values()].map((group): GoalSeriesFacts => {
    const ordered = [...group].sort((a, b) => comparePointOrder({ ...a, ratingId: a.goalRatingId }, { ...b, ratingId: b.goalRatingId }))
    const first = ordered[0]
    return {
      goalId: first.goalId,
      rater: first.rater,
      raterMemberId: first.raterMemberId,
      points: ordered.map((r, i) => ({ goalRatingId: r.goalRatingId, sessionId: r.sessionId, sessionNumber: i + 1, heldOn: r.heldOn, score: r.score })),
    }
  })
  return series.sort(
    (a, b) =>
      (a.goalId < b.goalId ? -1 : a.goalId > b.goalId ? 1 : 0) ||
      RATER_RANK[a.rater] - RATER_RANK[b.rater] ||
      ((a.raterMemberId ?? '') < (b.raterMemberId ?? '') ? -1 : (a.raterMemberId ?? '') > (b.raterMemberId ?? '') ? 1 : 0),
  )
}

/** Latest minus first; null with one point. */
export function goalChange(points: readonly GoalPoint[]): number | null {
  return points.length < 2 ? null : points[points.length - 1].score - points[0].score
}

/**
 * A goal series' status from its first to its latest point. Reached: the latest is 10, or the
 * goal ended achieved (the family says so, whatever was last rated); else with one point, not
 * enough data; else improved or worse by at least the reliable change, or no reliable change.
 */
export function goalStatus(points: readonly GoalPoint[], ending: GoalEnding | null, reliableChange = GOAL_RELIABLE_CHANGE): GoalStatus {
  if (points.length === 0) throw new Error('a goal series has at least one point')
  if (ending === 'achieved' || points[points.length - 1].score >= GOAL_REACHED_SCORE) return 'reached'
  const change = goalChange(points)
  if (change === null) return 'not-enough-data'
  if (change >= reliableChange) return 'improved'
  if (-change >= reliableChange) return 'worse'
  return 'no-reliable-change'
}

/** The trend line of a goal series, in points on the 0–10 scale (null below three points). */
export function goalTrend(points: readonly GoalPoint[]): Trend | null {
  return trendOf(points.map((p) => ({ sessionNumber: p.sessionNumber, heldOn: p.heldOn, total: p.score })))
}

export interface GoalPromptSettings {
  readonly reliableChange: number
  /** Rated conversations from which a goal that has not moved asks to be talked about. */
  readonly noProgressSessions: number
}

export const DEFAULT_GOAL_PROMPT_SETTINGS: GoalPromptSettings = { reliableChange: GOAL_RELIABLE_CHANGE, noProgressSessions: GOAL_NO_PROGRESS_SESSIONS }

/**
 * `goal-no-progress` (notice): from `noProgressSessions` rated conversations on, a goal that is
 * not reached and has moved up by less than the reliable change since its first rating is a
 * prompt to talk about the goal (is it still the right one, what stands in the way). An ended
 * goal asks nothing.
 */
export function goalNoProgress(
  points: readonly GoalPoint[],
  status: GoalStatus,
  active: boolean,
  settings: GoalPromptSettings = DEFAULT_GOAL_PROMPT_SETTINGS,
): boolean {
  if (!active || status === 'reached' || points.length < settings.noProgressSessions) return false
  const change = goalChange(points)
  return change !== null && change < settings.reliableChange
}

/**
 * The status as a family reads it: never "worse" (a goal that went backwards is one to talk
 * about, not a verdict), so worse reads as not yet moving.
 */
export type FamilyGoalStatus = 'reached' | 'closer' | 'not-yet' | 'just-started'

export function familyGoalStatus(status: GoalStatus): FamilyGoalStatus {
  switch (status) {
    case 'reached':
      return 'reached'
    case 'improved':
      return 'closer'
    case 'not-enough-data':
      return 'just-started'
    case 'no-reliable-change':
    case 'worse':
      return 'not-yet'
  }
}
