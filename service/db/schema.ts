import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

/** Dates travel as plain 'YYYY-MM-DD' strings (pg type parser 1082 is set to identity). */
type IsoDate = string
type CreatedAt = ColumnType<Date, Date | string | undefined, never>
type Json<T> = ColumnType<T, string | T, string | T>

export interface InstrumentTable {
  code: string
  version: string
  name: string
  kind: 'outcome' | 'alliance'
  min_age: number
  max_age: number | null
  item_keys: string[]
  item_labels: Record<string, string[]>
  item_max: number
  direction: string
  psychometric: boolean
  given_at: 'start' | 'end'
  thresholds: Json<StoredThresholds>
  sort_order: number
}

/** Thresholds as stored, in tenths; a municipality's settings override any subset. */
export interface StoredThresholds {
  cutoffs?: Partial<Record<'young-child' | 'child' | 'adolescent' | 'adult', number | null>>
  reliableChange?: number | null
  allianceDrop?: number
  noChangeSessions?: number[]
}

export interface MunicipalityTable {
  municipality_id: Generated<string>
  name: string
  time_zone: Generated<string>
  show_alliance_to_families: Generated<boolean>
  overdue_days: Generated<number>
  expected_band_min_series: Generated<number>
  /** Changed by a trigger on every change of the municipality's settings (sql/005). */
  settings_version: Generated<number>
  /** The rule version of the municipality's stored state; null before it was first built. */
  state_rule_version: number | null
  created_at: CreatedAt
}

export interface AllowedOriginTable {
  municipality_id: string
  origin: string
}

export interface InstrumentSettingTable {
  municipality_id: string
  instrument_code: string
  thresholds: Json<StoredThresholds>
  wording: Json<Record<string, string[]>> | null
}

export interface ApiClientTable {
  municipality_id: string
  api_client_id: Generated<string>
  name: string
  key_hash: string
  key_prefix: string
  created_at: CreatedAt
  revoked_at: ColumnType<Date | null, never, Date | string | null>
}

export interface CoordinatorTable {
  municipality_id: string
  coordinator_id: Generated<string>
  external_ref: string
  display_name: string
  active: Generated<boolean>
  created_at: CreatedAt
}

export interface FamilyTable {
  municipality_id: string
  family_id: Generated<string>
  external_ref: string
  coordinator_id: string
  started_on: IsoDate
  ended_on: IsoDate | null
  ending: 'planned' | 'unilateral' | 'moved' | 'other' | null
  synthetic: Generated<boolean>
  created_at: CreatedAt
}

export interface MemberTable {
  municipality_id: string
  member_id: Generated<string>
  family_id: string
  alias: string
  role: 'adult' | 'child'
  birth_date: IsoDate
  created_at: CreatedAt
  /** Order of entry (created_at ties within one transaction). */
  seq: Generated<number>
}

export interface SessionTable {
  municipality_id: string
  session_id: Generated<string>
  family_id: string
  held_on: IsoDate
  kind: string
  note: string | null
  created_at: CreatedAt
}

export interface RatingTable {
  municipality_id: string
  rating_id: Generated<string>
  family_id: string
  session_id: string
  member_id: string
  instrument_code: string
  rater: string
  rater_member_id: string | null
  items: number[] | null
  total: number
  override_reason: string | null
  created_at: CreatedAt
  /** Order of entry (created_at ties within one request). */
  seq: Generated<number>
}

export interface IdempotencyKeyTable {
  municipality_id: string
  principal: string
  key: string
  request_hash: string
  status_code: number
  location: string | null
  body: Json<unknown>
  created_at: CreatedAt
}

export interface AuditEventTable {
  municipality_id: string
  audit_event_id: Generated<string>
  occurred_at: CreatedAt
  actor_type: 'api-client' | 'coordinator' | 'family' | 'system'
  actor_id: string
  role: string
  action: string
  family_id: string | null
  resource: string | null
  request_id: string | null
  detail: Json<unknown> | null
}

export interface ReferenceSeriesTable {
  municipality_id: string
  reference_id: Generated<string>
  instrument_code: string
  series_key: string
  intake: number
  scores: number[]
  synthetic: Generated<boolean>
  built_at: CreatedAt
  /** The model of this series' cohort without itself (null a_q: no fit without it). */
  own_a25: number | null
  own_a50: number | null
  own_a75: number | null
  own_cohort_size: number | null
}

/** A fitted expected-band model per instrument and intake (tenths); see sql/005_band_models.sql. */
export interface BandModelTable {
  municipality_id: string
  instrument_code: string
  intake: number
  a25: number
  a50: number
  a75: number
  cohort_size: number
}

/** One series' stored state (sql/006_stored_state.sql), written from service/domain/family-state.ts. */
export interface SeriesStateTable {
  municipality_id: string
  family_id: string
  position: number
  member_id: string
  instrument_code: string
  rater: string
  rater_member_id: string | null
  points: number
  intake: number
  intake_on: IsoDate
  previous: number | null
  previous_on: IsoDate | null
  latest: number
  latest_on: IsoDate
  latest_session_id: string
  cutoff: number | null
  status: string | null
  trend: Json<unknown> | null
  band_p25: number | null
  band_p50: number | null
  band_p75: number | null
  band_cohort_size: number | null
  /** The band model of the series' expected band (sql/010), where it has one. */
  band_model: Json<{ a25: number; a50: number; a75: number; cohortSize: number }> | null
  flags: Json<unknown[]>
  severity: string | null
  is_primary: boolean
  age_group_at_intake: string | null
  first_alliance: number | null
  days_in_service: number | null
  unsuccessful: boolean | null
}

export interface FamilyStateTable {
  municipality_id: string
  family_id: string
  coordinator_id: string
  active: boolean
  started_on: IsoDate
  ending: string | null
  last_session_on: IsoDate | null
  last_session_id: string | null
  session_count: number
  severity: string | null
  flag_count: number
  left_behind: boolean
}

export interface Database {
  instruments: InstrumentTable
  municipalities: MunicipalityTable
  allowed_origins: AllowedOriginTable
  instrument_settings: InstrumentSettingTable
  api_clients: ApiClientTable
  coordinators: CoordinatorTable
  families: FamilyTable
  members: MemberTable
  sessions: SessionTable
  ratings: RatingTable
  idempotency_keys: IdempotencyKeyTable
  audit_events: AuditEventTable
  reference_series: ReferenceSeriesTable
  band_models: BandModelTable
  series_state: SeriesStateTable
  family_state: FamilyStateTable
}

export type InstrumentRow = Selectable<InstrumentTable>
export type MunicipalityRow = Selectable<MunicipalityTable>
export type CoordinatorRow = Selectable<CoordinatorTable>
export type FamilyRow = Selectable<FamilyTable>
export type MemberRow = Selectable<MemberTable>
export type SessionRow = Selectable<SessionTable>
export type RatingRow = Selectable<RatingTable>
export type NewRating = Insertable<RatingTable>
export type AuditEventRow = Selectable<AuditEventTable>
