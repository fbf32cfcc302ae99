import type { InstrumentKind, SessionKind } from '../../service/contracts/common.js'
import type { Member } from '../../service/contracts/families.js'
import type { CreateRating, CreateSession } from '../../service/contracts/sessions.js'
import type { Catalogue } from '../i18n/index.js'
import { ageOn, parseIsoDate } from '../../service/domain/calendar.js'
import { instrumentOn, totalMaxOf, type InstrumentFacts } from '../instruments.js'

/**
 * The session form's state and the rules that turn it into the request body. Pure: tested in tap.
 * Field ids name what the coordinator sees: `heldOn`, `kind`, `note`, `participants`, a rating
 * `<memberId>.<kind>`, its slider `<memberId>.<kind>.item.<n>` and its paper total `….total`.
 */

export type RatingMode = 'scales' | 'total' | 'skip'

export interface RatingDraft {
  instrument: string
  mode: RatingMode
  /** One per item; null until the coordinator moves the slider: a missing value is never sent as 0. */
  items: (number | null)[]
  /** The paper total as typed (comma or point). */
  total: string
}

export interface SessionDraft {
  heldOn: string
  kind: SessionKind
  note: string
  participants: string[]
  ratings: Record<string, RatingDraft>
}

export interface Participant {
  member: Member
  age: number | null
  /** Null when the person is under 3 (not rated) or the date is not valid yet. */
  outcome: InstrumentFacts | null
  alliance: InstrumentFacts | null
}

export const sessionKinds: SessionKind[] = ['home-visit', 'office', 'network-meeting', 'phone', 'video', 'other']
export const ratingKinds: InstrumentKind[] = ['outcome', 'alliance']

export const ratingKey = (memberId: string, kind: InstrumentKind) => `${memberId}.${kind}`
export const itemField = (key: string, index: number) => `${key}.item.${index}`
export const totalField = (key: string) => `${key}.total`

/** A calendar date the service takes (the domain's rule: YYYY-MM-DD, a real day, year 0001 or later). */
export function isValidIsoDate(s: string): boolean {
  try {
    parseIsoDate(s)
    return true
  } catch {
    return false
  }
}

/** Today on this device as an ISO calendar date. */
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

export function emptyDraft(today: string): SessionDraft {
  return { heldOn: today, kind: 'home-visit', note: '', participants: [], ratings: {} }
}

/** Each member with their age and instruments on the session date. */
export function participantsOn(members: Member[], heldOn: string): Participant[] {
  const valid = isValidIsoDate(heldOn)
  return members.map((member) => {
    const age = valid && isValidIsoDate(member.birthDate) ? ageOn(member.birthDate, heldOn) : null
    return { member, age, outcome: instrumentOn('outcome', age), alliance: instrumentOn('alliance', age) }
  })
}

/**
 * The rating drafts the current participants need, keeping what was entered where the instrument
 * is unchanged (a date change that makes a child 13 turns CORS into ORS and starts that one afresh).
 */
export function syncRatings(draft: SessionDraft, members: Member[]): Record<string, RatingDraft> {
  const ratings: Record<string, RatingDraft> = {}
  for (const p of participantsOn(members, draft.heldOn)) {
    if (!draft.participants.includes(p.member.id)) continue
    for (const kind of ratingKinds) {
      const facts = kind === 'outcome' ? p.outcome : p.alliance
      if (!facts) continue
      const key = ratingKey(p.member.id, kind)
      const old = draft.ratings[key]
      ratings[key] =
        old && old.instrument === facts.code
          ? old
          : { instrument: facts.code, mode: 'scales', items: Array<number | null>(facts.itemCount).fill(null), total: '' }
    }
  }
  return ratings
}

/** A paper total as typed: "23,5" or "23.5", 0–max, at most one decimal. Null when it is not one. */
export function parseTotal(text: string, max: number): number | null {
  const m = /^\s*(\d{1,3})(?:[.,](\d))?\s*$/.exec(text)
  if (!m) return null
  const value = Number(m[1]) + (m[2] ? Number(m[2]) / 10 : 0)
  return value <= max ? Math.round(value * 10) / 10 : null
}

/** Slider values arrive as strings with float noise; keep exactly one decimal. */
export const tenth = (v: number) => Math.round(v * 10) / 10

export interface FieldError {
  field: string
  message: string
}

export interface BuiltSession {
  body: CreateSession
  /** The rating key behind each index of `body.ratings`, to place the API's `/ratings/N/...` errors. */
  ratingKeys: string[]
}

/**
 * Checks the draft and builds `POST /v1/families/{id}/sessions`'s body: outcome ratings first
 * (they are given at the start of the conversation), then alliance, each in member order.
 */
export function buildSession(
  draft: SessionDraft,
  members: Member[],
  today: string,
  t: Catalogue,
): { ok: true; value: BuiltSession } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = []
  if (!isValidIsoDate(draft.heldOn)) errors.push({ field: 'heldOn', message: t.errorDate })
  else if (draft.heldOn > today) errors.push({ field: 'heldOn', message: t.errorFuture })
  if (draft.participants.length === 0) errors.push({ field: 'participants', message: t.errorChooseSomeone })

  const ratings: CreateRating[] = []
  const ratingKeys: string[] = []
  const people = participantsOn(members, draft.heldOn).filter((p) => draft.participants.includes(p.member.id))
  for (const kind of ratingKinds) {
    for (const p of people) {
      const facts = kind === 'outcome' ? p.outcome : p.alliance
      if (!facts) continue
      const key = ratingKey(p.member.id, kind)
      const r = draft.ratings[key]
      if (!r || r.mode === 'skip') continue
      if (r.mode === 'scales') {
        const missing = r.items.map((v, i) => (v === null ? i : -1)).filter((i) => i >= 0)
        for (const i of missing) errors.push({ field: itemField(key, i), message: t.errorRequired })
        if (missing.length === 0 && r.items.length === facts.itemCount) {
          ratings.push({ memberId: p.member.id, instrument: facts.code, rater: 'self', items: r.items.map((v) => tenth(v!)) })
          ratingKeys.push(key)
        }
      } else {
        const max = totalMaxOf(facts)
        const total = parseTotal(r.total, max)
        if (total === null) errors.push({ field: totalField(key), message: t.errorTotal(String(max)) })
        else {
          ratings.push({ memberId: p.member.id, instrument: facts.code, rater: 'self', total })
          ratingKeys.push(key)
        }
      }
    }
  }
  if (errors.length) return { ok: false, errors }
  const note = draft.note.trim()
  const body: CreateSession = { heldOn: draft.heldOn, kind: draft.kind, ratings }
  if (note) body.note = note
  return { ok: true, value: { body, ratingKeys } }
}

/** RFC 6901: "/ratings/0/items/2" → ["ratings", "0", "items", "2"]. */
export function parsePointer(pointer: string): string[] {
  if (!pointer || pointer === '/') return []
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** The form field an API error path points at; `form` when it points at none in particular. */
export function fieldForPointer(pointer: string, ratingKeys: string[]): string {
  const [head, index, part, sub] = parsePointer(pointer)
  if (head === 'heldOn' || head === 'kind' || head === 'note') return head
  if (head !== 'ratings') return 'form'
  if (index === undefined) return 'participants'
  const key = ratingKeys[Number(index)]
  if (!key) return 'form'
  if (part === 'items' && sub !== undefined && /^\d+$/.test(sub)) return itemField(key, Number(sub))
  if (part === 'total') return totalField(key)
  return key
}
