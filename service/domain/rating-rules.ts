import type { IsoDate, Rater } from '../contracts/common.js'
import type { CreateRating } from '../contracts/sessions.js'
import { ageOn } from './calendar.js'
import type { FieldProblem } from './field-problem.js'
import { fitsAge, instrumentFor, type InstrumentDef } from './instruments.js'
import { toTenths } from './score-units.js'
import { scoreRating, type ScoreProblem } from './scoring.js'

/** What the rules need of a family member. */
export interface RatedMember {
  readonly id: string
  readonly birthDate: IsoDate
}

export interface RatingContext {
  heldOn: IsoDate
  members: readonly RatedMember[]
  instruments: readonly InstrumentDef[]
  /** Keys of ratings already in the session (see ratingKey). */
  existing: ReadonlySet<string>
}

/** A rating's own values, in tenths: what a session's rules produce and the repository stores. */
export interface RatingValues {
  memberId: string
  instrument: string
  rater: Rater
  raterMemberId: string | null
  items: number[] | null
  total: number
  overrideReason: string | null
}

/** Who rated whom with what: a session holds one rating per key. */
export const ratingKey = (r: { memberId: string; instrument: string; rater: string; raterMemberId: string | null }) =>
  `${r.memberId}|${r.instrument}|${r.rater}|${r.raterMemberId ?? ''}`

export interface RatingCheck {
  /** Shapes and ranges that depend on the instrument (item count, total range): a 400, as docs/api.md asks for out-of-range numbers. */
  invalid: FieldProblem[]
  /** Broken rules (age, member, rater, duplicate): a 422. */
  errors: FieldProblem[]
  values: RatingValues[]
}

/**
 * The API's wording of a score problem (scoreRating speaks in tenths; the API in points, and
 * names the instrument). The schema has already refused anything but one of items or total, in
 * non-negative tenths, so only counts and maxima are left to word.
 */
function scoreMessage(problem: ScoreProblem, instrument: InstrumentDef, items: readonly number[] | null): string {
  if (problem.path === '/items') return `${instrument.code} has ${instrument.itemCount} item${instrument.itemCount === 1 ? '' : 's'}, got ${items?.length ?? 0}`
  if (problem.path.startsWith('/items/')) return `an item of ${instrument.code} is at most ${instrument.itemMax / 10}`
  if (problem.path === '/total') return `the total of ${instrument.code} is at most ${(instrument.itemMax * instrument.itemCount) / 10}`
  return problem.message
}

/**
 * Checks ratings against the rules of docs/rules.md that need the family and the date (the shapes
 * and ranges that need no instrument are checked by the schema already) and turns them into
 * values in tenths. Returns every failing field, each with a JSON Pointer under `prefix`.
 */
export function checkRatings(ratings: readonly CreateRating[], ctx: RatingContext, prefix: string): RatingCheck {
  const invalid: FieldProblem[] = []
  const errors: FieldProblem[] = []
  const values: RatingValues[] = []
  const seen = new Set(ctx.existing)
  const members = new Map(ctx.members.map((m) => [m.id, m]))

  ratings.forEach((r, i) => {
    const at = (field: string) => `${prefix}/${i}${field ? `/${field}` : ''}`
    const fail = (field: string, message: string) => errors.push({ path: at(field), message })
    const member = members.get(r.memberId)
    if (!member) return fail('memberId', 'this member is not in the family')
    const instrument = ctx.instruments.find((d) => d.code === r.instrument)
    if (!instrument) return fail('instrument', `unknown instrument '${r.instrument}' (see GET /v1/instruments)`)

    const age = ageOn(member.birthDate, ctx.heldOn)
    if (age < 3) return fail('memberId', `nobody under 3 is rated (this member is ${Math.max(age, 0)} on ${ctx.heldOn})`)
    if (!fitsAge(instrument, age) && !r.instrumentOverride) {
      const right = instrumentFor(instrument.kind, age, ctx.instruments)
      fail(
        'instrument',
        `${instrument.code} does not fit a ${age}-year-old on ${ctx.heldOn}: use ${right?.code ?? 'no instrument'}, or give instrumentOverride with a reason`,
      )
    }

    let raterMemberId = r.raterMemberId ?? null
    if (r.rater === 'self') {
      if (raterMemberId !== null && raterMemberId !== r.memberId) fail('raterMemberId', "a 'self' rating is made by the member; leave raterMemberId out")
      raterMemberId = null
    } else {
      if (instrument.kind === 'alliance') fail('rater', 'alliance is always rated by the person themself (rater: self)')
      else if (age >= 18) fail('rater', 'other raters rate children and adolescents; an adult rates themself (rater: self)')
      if (raterMemberId !== null) {
        if (!members.has(raterMemberId)) fail('raterMemberId', 'the rater is not a member of this family')
        else if (raterMemberId === r.memberId) fail('raterMemberId', "a member rating themself is rater 'self'")
      }
    }

    const items = r.items ? r.items.map(toTenths) : null
    const scored = scoreRating(instrument, { items, total: items ? null : toTenths(r.total ?? 0) })
    if (!scored.ok) for (const problem of scored.problems) invalid.push({ path: at(problem.path.slice(1)), message: scoreMessage(problem, instrument, items) })

    const value: RatingValues = {
      memberId: r.memberId,
      instrument: instrument.code,
      rater: r.rater,
      raterMemberId,
      items,
      total: scored.ok ? scored.total : 0,
      overrideReason: r.instrumentOverride?.reason ?? null,
    }
    const key = ratingKey(value)
    if (seen.has(key)) fail('', 'this session already has a rating of this member with this instrument by this rater')
    seen.add(key)
    values.push(value)
  })
  return { invalid, errors, values }
}

/** Date rules of a session: not in the future (municipality's today), not before the family started or after it ended. */
export function checkSessionDate(heldOn: IsoDate, family: { startedOn: IsoDate; endedOn: IsoDate | null }, today: IsoDate, path = '/heldOn'): FieldProblem[] {
  if (heldOn > today) return [{ path, message: `a session cannot be in the future (today is ${today})` }]
  if (heldOn < family.startedOn) return [{ path, message: `a session cannot be before the family started (${family.startedOn})` }]
  if (family.endedOn !== null && heldOn > family.endedOn) return [{ path, message: `a session cannot be after the family ended (${family.endedOn})` }]
  return []
}

/** A stored rating as it would be after a correction of a birth date or a session date. */
export interface DatedRating {
  readonly heldOn: IsoDate
  readonly birthDate: IsoDate
  readonly instrument: string
  readonly rater: string
  readonly overrideReason: string | null
}

/**
 * Whether stored ratings still fit the rated person's age after a correction of a birth date or
 * a session date: the same rules as for a new rating (nobody under 3; other raters rate children
 * and adolescents only; the instrument fits the age unless overridden).
 */
export function ageFitErrors(ratings: readonly DatedRating[], instruments: readonly InstrumentDef[]): string[] {
  const problems = new Set<string>()
  for (const r of ratings) {
    const age = ageOn(r.birthDate, r.heldOn)
    const instrument = instruments.find((d) => d.code === r.instrument)
    if (age < 3) problems.add(`the member would be under 3 at the session on ${r.heldOn}, which has a rating`)
    else if (r.rater !== 'self' && age >= 18) {
      problems.add(
        `the ${r.instrument} rating by a ${r.rater} on ${r.heldOn} would be about an adult (other raters rate children and adolescents; an adult rates themself)`,
      )
    } else if (instrument && !fitsAge(instrument, age) && r.overrideReason === null) {
      problems.add(
        `the ${instrument.code} rating on ${r.heldOn} would not fit a ${age}-year-old (${instrumentFor(instrument.kind, age, instruments)?.code ?? 'no instrument'} would)`,
      )
    }
  }
  return [...problems]
}
