import { sql } from 'kysely'
import type { Trx } from '../db/kysely.js'
import type { InstrumentRow, StoredThresholds } from '../db/schema.js'
import type { Instrument } from '../contracts/instruments.js'
import type { Lang } from '../contracts/common.js'
import type { InstrumentDef, Thresholds } from '../domain/instruments.js'
import { cutoffsToPoints, toPoints, toPointsOrNull } from '../domain/score-units.js'

export interface LoadedInstrument {
  row: InstrumentRow
  def: InstrumentDef
  wording: Record<string, string[]> | null
}

function merge(defaults: StoredThresholds, override: StoredThresholds | undefined): Thresholds {
  return {
    cutoffs: { ...(defaults.cutoffs ?? {}), ...(override?.cutoffs ?? {}) },
    reliableChange: override?.reliableChange !== undefined ? override.reliableChange : (defaults.reliableChange ?? null),
    allianceDrop: override?.allianceDrop ?? defaults.allianceDrop ?? 10,
    noChangeSessions: override?.noChangeSessions ?? defaults.noChangeSessions ?? [3, 6, 10],
  }
}

/** The municipality's cache entry: instruments with its thresholds, valid while its settings version is unchanged. */
const cache = new Map<string, { version: string; instruments: LoadedInstrument[] }>()

/** What identifies a municipality's settings: its id and settings version (the municipality row has both). */
export interface SettingsVersion {
  municipality_id: string
  settings_version: number | string
}

/**
 * Every instrument with the thresholds in force for the caller's municipality, in tenths.
 * Instruments change with migrations only and thresholds with the settings, so the result is
 * cached per process and reused while the municipality's settings version is unchanged; the
 * version comes from the municipality row (pass it when the request has read it already), so a
 * change made through another instance is seen at once.
 */
export async function loadInstruments(trx: Trx, known?: SettingsVersion): Promise<LoadedInstrument[]> {
  const m =
    known ??
    (await trx
      .selectFrom('municipalities')
      .select(['municipality_id', 'settings_version'])
      .where('municipality_id', '=', sql<string>`framgang_current_municipality()`)
      .executeTakeFirstOrThrow())
  const version = String(m.settings_version)
  const hit = cache.get(m.municipality_id)
  if (hit && hit.version === version) return hit.instruments
  const instruments = await readInstruments(trx)
  if (cache.size > 10_000) cache.clear()
  cache.set(m.municipality_id, { version, instruments })
  return instruments
}

async function readInstruments(trx: Trx): Promise<LoadedInstrument[]> {
  const [rows, settings] = await Promise.all([
    trx.selectFrom('instruments').selectAll().orderBy('sort_order').execute(),
    trx.selectFrom('instrument_settings').selectAll().execute(),
  ])
  const byCode = new Map(settings.map((s) => [s.instrument_code, s]))
  return rows.map((row) => {
    const setting = byCode.get(row.code)
    return {
      row,
      wording: setting?.wording ?? null,
      def: {
        code: row.code,
        kind: row.kind,
        minAge: row.min_age,
        maxAge: row.max_age,
        itemCount: row.item_keys.length,
        itemMax: row.item_max,
        psychometric: row.psychometric,
        thresholds: merge(row.thresholds, setting?.thresholds),
      },
    }
  })
}

export function toInstrument({ row, def, wording }: LoadedInstrument, lang: Lang): Instrument {
  const labels = wording?.[lang] ?? row.item_labels[lang] ?? row.item_labels.en ?? row.item_keys
  const t = def.thresholds
  return {
    code: row.code,
    version: row.version,
    name: row.name,
    kind: row.kind,
    minAge: row.min_age,
    maxAge: row.max_age,
    givenAt: row.given_at,
    items: row.item_keys.map((key, i) => ({ key, label: labels[i] ?? key })),
    itemMax: toPoints(row.item_max),
    totalMax: toPoints(row.item_max * row.item_keys.length),
    psychometric: row.psychometric,
    licensedWording: Boolean(wording?.[lang]),
    thresholds: {
      cutoffs: cutoffsToPoints(t.cutoffs),
      reliableChange: toPointsOrNull(t.reliableChange),
      allianceDrop: toPoints(t.allianceDrop),
      noChangeSessions: [...t.noChangeSessions],
    },
  }
}

/** The codes of every instrument, read now (a settings change names instruments by code). */
export async function instrumentCodes(trx: Trx): Promise<Set<string>> {
  return new Set((await trx.selectFrom('instruments').select('code').execute()).map((i) => i.code))
}
