import type { InstrumentKind } from '../../service/contracts/common.js'
import type { FamilyFlag, FamilyProgress } from '../../service/contracts/progress.js'
import { bySeverity } from '../severity.js'
import { buildChart } from './chart.js'
import { flagEntry } from './flags.js'
import type { AnySeries, ChartModel, FlagEntry, MemberModel, Mode, ModelOptions, ProgressModel, ProgressPayload, ProgressView } from './types.js'

/**
 * The progress payload turned into what the element shows, in words of one language: a section
 * per member, a chart per instrument in use. Pure: no DOM, no chart.js; the component renders
 * it and `buildChartConfig` turns each chart into a chart.js configuration.
 */

export function isFamilyPayload(p: ProgressPayload): p is FamilyProgress {
  return (p as FamilyProgress).view === 'family'
}

export function modeOf(p: ProgressPayload, view: ProgressView | null | undefined): Mode {
  return isFamilyPayload(p) || view === 'family' ? 'family' : 'coordinator'
}

/**
 * Which kinds of series a view shows: coordinators one kind at a time; a family payload both
 * where the service sent them (it sends alliance only where the municipality shows it to
 * families); a coordinator payload shown with view="family" outcome only, since whether the
 * municipality shows alliance to families is not known here.
 */
export function kindsFor(payload: ProgressPayload, view: ProgressView | null | undefined): InstrumentKind[] {
  if (view === 'alliance') return ['alliance']
  if (view === 'outcome' || !isFamilyPayload(payload)) return ['outcome']
  return ['outcome', 'alliance']
}

function lastDate(s: AnySeries): string {
  return s.points.length ? s.points[s.points.length - 1].heldOn : ''
}

export function buildProgressModel(payload: ProgressPayload, options: ModelOptions): ProgressModel {
  const { t, f } = options
  const mode = modeOf(payload, options.view)
  const kinds = kindsFor(payload, options.view)
  const aliases = new Map(payload.members.map((m) => [m.memberId, m.alias]))
  const members: MemberModel[] = []

  for (const member of payload.members) {
    if (options.memberId && member.memberId !== options.memberId) continue
    const charts: ChartModel[] = []
    for (const kind of kinds) {
      const byInstrument = new Map<string, AnySeries[]>()
      for (const s of member.series as AnySeries[]) {
        if (s.kind !== kind || s.points.length === 0) continue
        const list = byInstrument.get(s.instrument) ?? []
        list.push(s)
        byInstrument.set(s.instrument, list)
      }
      // The instrument in use now first (a child who turned 13 has a newer ORS above the old CORS).
      const groups = [...byInstrument.entries()].sort(
        ([, a], [, b]) => Math.max(...b.map((s) => +new Date(lastDate(s)))) - Math.max(...a.map((s) => +new Date(lastDate(s)))),
      )
      for (const [instrument, series] of groups) {
        charts.push(buildChart({ mode, kind, instrument, series, member, aliases, t, f }))
      }
    }
    const heading = mode === 'family' ? t.familyTitle(member.alias) : member.alias
    members.push({ memberId: member.memberId, alias: member.alias, heading, charts })
  }

  const familyFlags: FlagEntry[] =
    mode === 'coordinator' && !isFamilyPayload(payload)
      ? payload.flags
          .filter((fl: FamilyFlag) => fl.memberId === null)
          .sort(bySeverity)
          .map((fl) => flagEntry(fl, t, f))
      : []

  return {
    mode,
    familyId: payload.familyId,
    members,
    familyFlags,
    empty: members.every((m) => m.charts.length === 0),
  }
}
