import type { Flag } from '../../service/contracts/progress.js'
import type { Catalogue, Formatters } from '../i18n/index.js'
import { bySeverity } from '../severity.js'
import { placeOn } from './axis.js'
import type { AnySeries, FlagEntry, FlagMarker, LineModel } from './types.js'

/** A flag in words: its severity, what it means, and where (conversation and date) when it has a place. */
export function flagEntry(fl: Flag, t: Catalogue, f: Formatters): FlagEntry {
  return {
    code: fl.code,
    severity: fl.severity,
    severityText: t.severity[fl.severity],
    text: t.flag[fl.code] ?? fl.code,
    where: fl.sessionNumber !== null && fl.heldOn ? t.flagAt(f.integer(fl.sessionNumber), f.date(fl.heldOn)) : fl.heldOn ? f.date(fl.heldOn) : null,
  }
}

/**
 * The numbered markers of a coordinator's chart: each line's flags that have a session, at the
 * point they are about, in axis order (most severe first at one conversation), numbered 1..N
 * for the flag lane and the list under the chart.
 */
export function flagMarkers(series: AnySeries[], lines: LineModel[], t: Catalogue, f: Formatters): FlagMarker[] {
  const flags: FlagMarker[] = []
  series.forEach((s, line) => {
    if (!('flags' in s)) return
    for (const fl of s.flags) {
      if (fl.sessionNumber === null) continue
      const point = lines[line].points.find((p) => p.sessionNumber === fl.sessionNumber)
      const x = placeOn(lines[line])(fl.sessionNumber)
      // Named by its conversation on the axis, like the tooltip of the point it sits at.
      const entry = flagEntry({ ...fl, sessionNumber: x }, t, f)
      flags.push({
        n: 0,
        code: fl.code,
        severity: fl.severity,
        line,
        sessionNumber: fl.sessionNumber,
        x,
        y: point ? point.y : NaN,
        severityText: entry.severityText,
        text: entry.text,
        where: entry.where ?? '',
      })
    }
  })
  flags.sort((a, b) => a.x - b.x || bySeverity(a, b))
  flags.forEach((fl, i) => (fl.n = i + 1))
  return flags
}
