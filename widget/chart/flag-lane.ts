import type { Chart, Plugin } from 'chart.js'
import type { Severity } from '../../service/contracts/common.js'

/**
 * Draws flags as labelled markers in a lane above the plot: a shape per severity (triangle =
 * alert, diamond = warning, circle = notice) with its number beside it, and a dotted guide down
 * to the flagged point. The number matches the flag list under the chart, so colour is never
 * the only cue. Uses only the canvas context chart.js hands it.
 */
export interface LaneMarker {
  n: number
  x: number
  y: number
  severity: Severity
}

export interface FlagLaneOptions {
  markers: LaneMarker[]
  colours: Record<Severity, string>
  text: string
  fontFamily: string
}

export const flagLaneHeight = 26

type Ctx = Pick<
  CanvasRenderingContext2D,
  'save' | 'restore' | 'beginPath' | 'moveTo' | 'lineTo' | 'closePath' | 'arc' | 'fill' | 'stroke' | 'fillText' | 'setLineDash' | 'measureText'
> & { fillStyle: unknown; strokeStyle: unknown; lineWidth: number; font: string; textBaseline: string; textAlign: string }

export function drawMarkerShape(ctx: Ctx, severity: Severity, cx: number, cy: number, r: number): void {
  ctx.beginPath()
  if (severity === 'alert') {
    ctx.moveTo(cx, cy - r)
    ctx.lineTo(cx + r, cy + r * 0.8)
    ctx.lineTo(cx - r, cy + r * 0.8)
    ctx.closePath()
  } else if (severity === 'warning') {
    ctx.moveTo(cx, cy - r)
    ctx.lineTo(cx + r, cy)
    ctx.lineTo(cx, cy + r)
    ctx.lineTo(cx - r, cy)
    ctx.closePath()
  } else {
    ctx.arc(cx, cy, r * 0.8, 0, Math.PI * 2)
  }
  ctx.fill()
}

/** Distance between two markers at the same session: shape, number and a gap. */
const spacing = 30

export const flagLanePlugin: Plugin<'line'> = {
  id: 'framgangFlagLane',
  afterDatasetsDraw(chart: Chart<'line'>, _args: unknown, options: unknown) {
    const opts = options as FlagLaneOptions
    if (!opts?.markers?.length) return
    const ctx = chart.ctx as unknown as Ctx
    const { top, left, right } = chart.chartArea
    const xScale = chart.scales.x
    const yScale = chart.scales.y
    const laneY = top - flagLaneHeight / 2 - 2
    const groups = new Map<number, LaneMarker[]>()
    for (const m of opts.markers) groups.set(m.x, [...(groups.get(m.x) ?? []), m])
    ctx.save()
    ctx.font = `600 12px ${opts.fontFamily}`
    ctx.textBaseline = 'middle'
    ctx.textAlign = 'left'
    for (const [x, group] of groups) {
      const pointX = xScale.getPixelForValue(x)
      const y = group[0].y
      if (Number.isFinite(y)) {
        // One dotted guide from the lane down to the flagged point, in the most severe colour.
        ctx.strokeStyle = opts.colours[group[0].severity]
        ctx.lineWidth = 1
        ctx.setLineDash([2, 3])
        ctx.beginPath()
        ctx.moveTo(pointX, laneY + 9)
        ctx.lineTo(pointX, yScale.getPixelForValue(y) - 7)
        ctx.stroke()
        ctx.setLineDash([])
      }
      // Markers of one session side by side, centred on it, kept inside the plot.
      const width = (group.length - 1) * spacing
      const first = Math.max(left + 8, Math.min(pointX - width / 2, right - 16 - width))
      group.forEach((m, i) => {
        const px = first + i * spacing
        ctx.fillStyle = opts.colours[m.severity]
        drawMarkerShape(ctx, m.severity, px, laneY, 7)
        ctx.fillStyle = opts.text
        ctx.fillText(String(m.n), px + 9, laneY + 1)
      })
    }
    ctx.restore()
  },
}
