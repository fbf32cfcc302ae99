import { forgetPreloadedMunicipality, type Trx } from '../db/kysely.js'
import type { StoredThresholds } from '../db/schema.js'
import type { Settings, ThresholdOverride, UpdateSettings } from '../contracts/settings.js'
import { cutoffsToPoints, toPoints, toPointsOrNull, toTenths } from '../domain/score-units.js'
import { replaceOrigins } from './allowed-origins.js'
import { municipality } from './municipalities.js'

function thresholdsToPoints(t: StoredThresholds): ThresholdOverride {
  const out: ThresholdOverride = {}
  if (t.cutoffs) out.cutoffs = cutoffsToPoints(t.cutoffs)
  if (t.reliableChange !== undefined) out.reliableChange = toPointsOrNull(t.reliableChange)
  if (t.allianceDrop !== undefined) out.allianceDrop = toPoints(t.allianceDrop)
  if (t.noChangeSessions !== undefined) out.noChangeSessions = t.noChangeSessions
  return out
}

export function thresholdsToTenths(t: ThresholdOverride): StoredThresholds {
  const out: StoredThresholds = {}
  if (t.cutoffs) out.cutoffs = Object.fromEntries(Object.entries(t.cutoffs).map(([k, v]) => [k, v === null || v === undefined ? null : toTenths(v)]))
  if (t.reliableChange !== undefined) out.reliableChange = t.reliableChange === null ? null : toTenths(t.reliableChange)
  if (t.allianceDrop !== undefined) out.allianceDrop = toTenths(t.allianceDrop)
  if (t.noChangeSessions !== undefined) out.noChangeSessions = [...t.noChangeSessions].sort((a, b) => a - b)
  return out
}

export async function readSettings(trx: Trx): Promise<Settings> {
  const m = await municipality(trx)
  const origins = await trx.selectFrom('allowed_origins').select('origin').orderBy('origin').execute()
  const overrides = await trx.selectFrom('instrument_settings').select(['instrument_code', 'thresholds']).orderBy('instrument_code').execute()
  return {
    allowedOrigins: origins.map((o) => o.origin),
    timeZone: m.time_zone,
    showAllianceToFamilies: m.show_alliance_to_families,
    overdueDays: m.overdue_days,
    expectedBandMinSeries: m.expected_band_min_series,
    thresholds: Object.fromEntries(
      overrides.filter((o) => Object.keys(o.thresholds).length > 0).map((o) => [o.instrument_code, thresholdsToPoints(o.thresholds)]),
    ),
  }
}

export async function writeSettings(trx: Trx, municipalityId: string, patch: UpdateSettings): Promise<void> {
  // The row read at the transaction's start is about to change (and its settings version with it).
  forgetPreloadedMunicipality(trx)
  const columns = {
    ...(patch.timeZone !== undefined && { time_zone: patch.timeZone }),
    ...(patch.showAllianceToFamilies !== undefined && { show_alliance_to_families: patch.showAllianceToFamilies }),
    ...(patch.overdueDays !== undefined && { overdue_days: patch.overdueDays }),
    ...(patch.expectedBandMinSeries !== undefined && { expected_band_min_series: patch.expectedBandMinSeries }),
  }
  if (Object.keys(columns).length) await trx.updateTable('municipalities').set(columns).execute()
  if (patch.allowedOrigins !== undefined) await replaceOrigins(trx, municipalityId, patch.allowedOrigins)
  for (const [code, override] of Object.entries(patch.thresholds ?? {})) {
    if (override === null) {
      await trx.deleteFrom('instrument_settings').where('instrument_code', '=', code).execute()
      continue
    }
    const thresholds = JSON.stringify(thresholdsToTenths(override))
    await trx
      .insertInto('instrument_settings')
      .values({ municipality_id: municipalityId, instrument_code: code, thresholds })
      .onConflict((oc) => oc.columns(['municipality_id', 'instrument_code']).doUpdateSet({ thresholds }))
      .execute()
  }
}
