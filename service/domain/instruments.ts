import type { AgeGroup, InstrumentKind } from '../contracts/common.js'

/**
 * Instruments are data (rows the service loads), so a municipality can add a scale or change a
 * threshold without a code change. Every score and threshold here is in integer tenths.
 */

export interface Thresholds {
  /**
   * Cutoff per age group of the rated person, in tenths. Outcome: the clinical cutoff (below it
   * is the clinical range). Alliance: the alliance cutoff, the same value for every group the
   * instrument covers. A group that is absent or null has no cutoff.
   */
  readonly cutoffs: Partial<Record<AgeGroup, number | null>>
  /** Reliable-change value in tenths; null where the instrument has none (alliance, young-child forms). */
  readonly reliableChange: number | null
  /** Fall in the alliance total since the previous conversation that raises `alliance-drop`, tenths. */
  readonly allianceDrop: number
  /**
   * Conversations without reliable improvement before the first, second and third prompt
   * (`no-change-3`, `no-change-6`, `no-change-10` by default). Matched to those codes by position
   * after sorting, so a municipality that chooses [4, 8, 12] still gets the three tiers.
   */
  readonly noChangeSessions: readonly number[]
}

export interface InstrumentDef {
  readonly code: string
  readonly kind: InstrumentKind
  /** Youngest age in whole years on the conversation date that this instrument is for. */
  readonly minAge: number
  /** Oldest age, inclusive; null for no upper limit. */
  readonly maxAge: number | null
  readonly itemCount: number
  /** Highest score of one item, tenths (100 for the 10 cm lines). */
  readonly itemMax: number
  /**
   * False for the young-child forms (YCORS, YCSRS): they are logged and shown, but have no
   * validated norms, so they never get a status, a cutoff or a flag.
   */
  readonly psychometric: boolean
  readonly thresholds: Thresholds
}

/** The age groups of docs/api.md; nobody under 3 is rated, so they have none. */
export function ageGroupOf(age: number): AgeGroup | null {
  if (age < 3) return null
  if (age <= 5) return 'young-child'
  if (age <= 12) return 'child'
  if (age <= 17) return 'adolescent'
  return 'adult'
}

export function fitsAge(instrument: InstrumentDef, age: number): boolean {
  return age >= instrument.minAge && (instrument.maxAge === null || age <= instrument.maxAge)
}

/**
 * The instrument of this kind for a person of this age, or null (under 3, or no instrument
 * configured). Age ranges of one kind are not meant to overlap; if a configuration makes them,
 * the first in the given order wins, so the answer is still deterministic.
 */
export function instrumentFor(kind: InstrumentKind, age: number, instruments: readonly InstrumentDef[]): InstrumentDef | null {
  if (age < 3) return null
  return instruments.find((instrument) => instrument.kind === kind && fitsAge(instrument, age)) ?? null
}

/** The cutoff (tenths) that applies to a person of this age group, or null when there is none. */
export function cutoffFor(instrument: InstrumentDef, ageGroup: AgeGroup | null): number | null {
  if (!instrument.psychometric || ageGroup === null) return null
  return instrument.thresholds.cutoffs[ageGroup] ?? null
}

/** Looks an instrument up by code; throws, because a rating on an unknown instrument is a data error. */
export function instrumentByCode(instruments: readonly InstrumentDef[], code: string): InstrumentDef {
  const instrument = instruments.find((candidate) => candidate.code === code)
  if (!instrument) throw new Error(`Unknown instrument ${JSON.stringify(code)}: pass every instrument the ratings use`)
  return instrument
}

/** True for the instruments that get a change status and outcome flags (ORS and CORS by default). */
export function isPsychometricOutcome(instrument: InstrumentDef): boolean {
  return instrument.psychometric && instrument.kind === 'outcome'
}

/** True for the instruments that get alliance flags (SRS and CSRS by default). */
export function isPsychometricAlliance(instrument: InstrumentDef): boolean {
  return instrument.psychometric && instrument.kind === 'alliance'
}
