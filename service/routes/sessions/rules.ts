import type { CreateRating } from '../../contracts/sessions.js'
import type { MemberRow, RatingRow } from '../../db/schema.js'
import { ageOn } from '../../domain/calendar.js'
import { fitsAge, instrumentFor } from '../../domain/instruments.js'
import type { FieldError } from '../../plugins/problems.js'
import type { LoadedInstrument } from '../instruments/repository.js'
import { toTenths } from '../score-units.js'

export interface RatingContext {
  heldOn: string
  members: MemberRow[]
  instruments: LoadedInstrument[]
  /** Keys of ratings already in the session (member|instrument|rater|raterMember). */
  existing: Set<string>
}

/** A rating's own columns, in tenths: what a session's rules produce and the repository stores. */
export type RatingValues = Pick<RatingRow, 'member_id' | 'instrument_code' | 'rater' | 'rater_member_id' | 'items' | 'total' | 'override_reason'>

export const ratingKey = (r: { member_id: string; instrument_code: string; rater: string; rater_member_id: string | null }) =>
  `${r.member_id}|${r.instrument_code}|${r.rater}|${r.rater_member_id ?? ''}`

export interface RatingCheck {
  /** Shapes and ranges that depend on the instrument (item count, total range): a 400, as api.md asks for out-of-range numbers. */
  invalid: FieldError[]
  /** Broken rules (age, member, rater, duplicate): a 422. */
  errors: FieldError[]
  rows: RatingValues[]
}

/**
 * Checks ratings against the rules of domain.md that need the family and the date (the shapes
 * and ranges that need no instrument are checked by the schema already) and turns them into rows
 * in tenths. Returns every failing field, each with a JSON Pointer under `prefix`.
 */
export function checkRatings(ratings: CreateRating[], ctx: RatingContext, prefix: string): RatingCheck {
  const invalid: FieldError[] = []
  const errors: FieldError[] = []
  const rows: RatingValues[] = []
  const seen = new Set(ctx.existing)
  const members = new Map(ctx.members.map((m) => [m.member_id, m]))
  const instruments = ctx.instruments.map((i) => i.def)

  ratings.forEach((r, i) => {
    const at = (field: string) => `${prefix}/${i}${field ? `/${field}` : ''}`
    const fail = (field: string, message: string) => errors.push({ path: at(field), message })
    const bad = (field: string, message: string) => invalid.push({ path: at(field), message })
    const member = members.get(r.memberId)
    if (!member) return fail('memberId', 'this member is not in the family')
    const instrument = instruments.find((d) => d.code === r.instrument)
    if (!instrument) return fail('instrument', `unknown instrument '${r.instrument}' (see GET /v1/instruments)`)

    const age = ageOn(member.birth_date, ctx.heldOn)
    if (age < 3) return fail('memberId', `nobody under 3 is rated (this member is ${Math.max(age, 0)} on ${ctx.heldOn})`)
    if (!fitsAge(instrument, age) && !r.instrumentOverride) {
      const right = instrumentFor(instrument.kind, age, instruments)
      fail('instrument', `${instrument.code} does not fit a ${age}-year-old on ${ctx.heldOn}: use ${right?.code ?? 'no instrument'}, or give instrumentOverride with a reason`)
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

    let items: number[] | null = null
    let total: number
    if (r.items) {
      if (r.items.length !== instrument.itemCount) bad('items', `${instrument.code} has ${instrument.itemCount} item${instrument.itemCount === 1 ? '' : 's'}, got ${r.items.length}`)
      items = r.items.map(toTenths)
      items.forEach((v, k) => {
        if (v > instrument.itemMax) bad(`items/${k}`, `an item of ${instrument.code} is at most ${instrument.itemMax / 10}`)
      })
      total = items.reduce((a, b) => a + b, 0)
    } else {
      total = toTenths(r.total ?? 0)
      const max = instrument.itemMax * instrument.itemCount
      if (total > max) bad('total', `the total of ${instrument.code} is at most ${max / 10}`)
    }

    const row: RatingValues = {
      member_id: r.memberId,
      instrument_code: instrument.code,
      rater: r.rater,
      rater_member_id: raterMemberId,
      items,
      total,
      override_reason: r.instrumentOverride?.reason ?? null,
    }
    const key = ratingKey(row)
    if (seen.has(key)) fail('', 'this session already has a rating of this member with this instrument by this rater')
    seen.add(key)
    rows.push(row)
  })
  return { invalid, errors, rows }
}

/** Date rules of a session: not in the future (municipality's today), not before the family started or after it ended. */
export function checkSessionDate(heldOn: string, family: { started_on: string; ended_on: string | null }, today: string, path = '/heldOn'): FieldError[] {
  if (heldOn > today) return [{ path, message: `a session cannot be in the future (today is ${today})` }]
  if (heldOn < family.started_on) return [{ path, message: `a session cannot be before the family started (${family.started_on})` }]
  if (family.ended_on !== null && heldOn > family.ended_on) return [{ path, message: `a session cannot be after the family ended (${family.ended_on})` }]
  return []
}

/**
 * Whether stored ratings still fit the rated person's age after a correction of a birth date or
 * a session date: the same rules as for a new rating (nobody under 3; other raters rate children
 * and adolescents only; the instrument fits the age unless overridden). Each rating comes with the dates as they would be after the correction.
 */
export function ageFitErrors(
  ratings: { held_on: string; birth_date: string; instrument_code: string; rater: string; override_reason: string | null }[],
  instruments: LoadedInstrument[],
): string[] {
  const defs = instruments.map((i) => i.def)
  const problems = new Set<string>()
  for (const r of ratings) {
    const age = ageOn(r.birth_date, r.held_on)
    const instrument = defs.find((d) => d.code === r.instrument_code)
    if (age < 3) problems.add(`the member would be under 3 at the session on ${r.held_on}, which has a rating`)
    else if (r.rater !== 'self' && age >= 18) {
      problems.add(`the ${r.instrument_code} rating by a ${r.rater} on ${r.held_on} would be about an adult (other raters rate children and adolescents; an adult rates themself)`)
    }
    else if (instrument && !fitsAge(instrument, age) && r.override_reason === null) {
      problems.add(`the ${instrument.code} rating on ${r.held_on} would not fit a ${age}-year-old (${instrumentFor(instrument.kind, age, defs)?.code ?? 'no instrument'} would)`)
    }
  }
  return [...problems]
}
