import t from 'tap'
import { buildChartConfig, type XY } from '../../widget/chart/config.js'
import { drawMarkerShape, flagLanePlugin } from '../../widget/chart/flag-lane.js'
import { buildProgressModel } from '../../widget/chart/model.js'
import { defaultTheme, readTheme } from '../../widget/chart/theme.js'
import { localize } from '../../widget/i18n/index.js'
import { familyView, laggingParent, progress } from './fixtures.js'

const { t: nbText, f } = localize('nb')
const coordinator = buildProgressModel(progress, { t: nbText, f })
const kari = coordinator.members[0].charts[0]
const emma = coordinator.members[1].charts[0]

t.test('datasets: band, expected range, median, trend, then the series on top', async (t) => {
  const { config, roles, lineDatasets } = buildChartConfig(kari, { f, theme: defaultTheme })
  t.same(
    roles.map((r) => r.role),
    ['band', 'p25', 'p75', 'p50', 'trend', 'series'],
  )
  t.same(lineDatasets, [5])
  const ds = config.data.datasets
  t.same(ds[0].data, [
    { x: 0.5, y: 25 },
    { x: 10.5, y: 25 },
  ])
  t.equal(ds[0].fill, 'start', 'the cutoff band shades below the cutoff')
  t.equal(ds[2].fill, 1, 'p75 fills down to p25')
  const series = ds[5].data as XY[]
  t.same(
    series,
    progress.members[0].series[0].points.map((p) => ({ x: p.sessionNumber, y: p.total })),
    'the line holds exactly the payload points',
  )
  // Drawing order: chart.js draws higher `order` first, so the series (lowest) is on top.
  const orders = ds.map((d) => d.order ?? 0)
  t.ok(orders[5] < orders[4] && orders[4] < orders[3] && orders[3] < orders[0])
  t.equal(config.options?.animation, false, 'no animation')
})

t.test('the trend segment follows the payload trend', async (t) => {
  const { config, roles } = buildChartConfig(kari, { f, theme: defaultTheme })
  const trend = progress.members[0].series[0].trend!
  const ds = config.data.datasets[roles.findIndex((r) => r.role === 'trend')].data as XY[]
  t.equal(ds[0].x, 1)
  t.equal(ds[1].x, 6)
  t.ok(Math.abs(ds[0].y - (trend.intercept + trend.slopePerSession)) < 1e-9)
  t.ok(Math.abs(ds[1].y - (trend.intercept + trend.slopePerSession * 6)) < 1e-9)
})

t.test('scales: sessions as whole numbers, score from 0 to the instrument maximum', async (t) => {
  const { config } = buildChartConfig(emma, { f, theme: defaultTheme })
  const x = config.options!.scales!.x as any
  const y = config.options!.scales!.y as any
  t.equal(x.min, 0.5)
  t.equal(x.max, 5.5)
  t.equal(x.ticks.stepSize, 1)
  t.equal(x.ticks.callback(3), '3')
  t.equal(x.ticks.callback(0.5), '', 'no tick label off the session grid')
  t.equal(y.min, 0)
  t.equal(y.max, 40)
  t.equal(x.title.text, 'Samtale nr.')
  const ycors = buildChartConfig(coordinator.members[2].charts[0], { f, theme: defaultTheme }).config.options!.scales!.y as any
  t.equal(ycors.max, 10)
  t.equal(ycors.ticks.stepSize, 2)
})

t.test('flags go to the flag lane with room reserved above the plot', async (t) => {
  const { config } = buildChartConfig(emma, { f, theme: defaultTheme })
  const lane = (config.options!.plugins as any).framgangFlagLane
  t.same(
    lane.markers.map((m: any) => [m.n, m.x, m.y, m.severity]),
    [
      [1, 5, 21, 'alert'],
      [2, 5, 21, 'notice'],
    ],
  )
  t.ok((config.options!.layout!.padding as any).top > 20)
  t.same(config.plugins, [flagLanePlugin])
  const noFlags = buildChartConfig(kari, { f, theme: defaultTheme })
  t.ok((noFlags.config.options!.layout!.padding as any).top < 20)
})

t.test('several series: lines, expected range and flag markers on the shared conversation axis', async (t) => {
  const chart = buildProgressModel(laggingParent, { t: nbText, f }).members[0].charts[0]
  const { config, roles, lineDatasets } = buildChartConfig(chart, { f, theme: defaultTheme })
  const ds = config.data.datasets
  const data = (role: string) => ds[roles.findIndex((r) => r.role === role)].data as XY[]
  t.same(
    lineDatasets.map((i) => (ds[i].data as XY[]).map((p) => p.x)),
    chart.lines.map((l) => l.points.map((p) => p.x)),
  )
  t.same((ds[lineDatasets[1]].data as XY[])[11], { x: 20, y: 19.5 }, 'the mother’s 12th rating at the child’s 19th conversation')
  for (const role of ['p25', 'p50', 'p75'])
    t.same(
      data(role).map((p) => p.x),
      chart.expected!.x,
      `${role} on the child’s conversations`,
    )
  t.equal((config.options!.scales!.x as any).max, 23.5)
  const lane = (config.options!.plugins as any).framgangFlagLane
  t.same(
    lane.markers.map((m: any) => [m.n, m.x, m.y]),
    [
      [1, 20, 19.5],
      [2, 21, 29.5],
    ],
  )
})

t.test('family charts: reference band filled upwards, bigger points, no expected range', async (t) => {
  const family = buildProgressModel(familyView(progress), { t: nbText, f }).members[1].charts[0]
  const { config, roles } = buildChartConfig(family, { f, theme: defaultTheme })
  t.same(
    roles.map((r) => r.role),
    ['band', 'trend', 'trend', 'series', 'series'],
  )
  t.equal(config.data.datasets[0].fill, 'end')
  t.equal(config.data.datasets[0].backgroundColor, defaultTheme.referenceBand)
  t.ok((config.data.datasets[3] as any).pointRadius > 5)
})

t.test('right-to-left', async (t) => {
  const { config } = buildChartConfig(kari, { f, theme: defaultTheme, rtl: true })
  t.equal((config.options!.scales!.x as any).reverse, true)
  t.equal((config.options!.scales!.y as any).position, 'right')
})

t.test('pointer hover reports series points only', async (t) => {
  const seen: unknown[] = []
  const { config, lineDatasets } = buildChartConfig(emma, { f, theme: defaultTheme, onPoint: (p) => seen.push(p) })
  const onHover = config.options!.onHover as any
  onHover({}, [{ datasetIndex: 0, index: 0 }])
  onHover({}, [{ datasetIndex: lineDatasets[1], index: 2 }])
  onHover({}, [])
  t.same(seen, [null, { line: 1, index: 2 }, null])
})

t.test('theme colours come from the resolved custom properties, falling back to defaults', async (t) => {
  const theme = readTheme((p) => ({ '--_series-2': ' #123456 ', '--_alert': '#aa0000', '--_font': '' })[p] ?? '')
  t.equal(theme.series[1], '#123456')
  t.equal(theme.series[0], defaultTheme.series[0])
  t.equal(theme.alert, '#aa0000')
  t.equal(theme.fontFamily, defaultTheme.fontFamily)
})

t.test('default line colours keep 3:1 against white', async (t) => {
  const luminance = (hex: string) => {
    const c = hex
      .match(/\w\w/g)!
      .map((h) => parseInt(h, 16) / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
  }
  const contrast = (hex: string) => 1.05 / (luminance(hex) + 0.05)
  for (const colour of [
    ...defaultTheme.series,
    defaultTheme.cutoffLine,
    defaultTheme.expectedLine,
    defaultTheme.referenceLine,
    defaultTheme.alert,
    defaultTheme.warning,
    defaultTheme.notice,
  ]) {
    t.ok(contrast(colour) >= 3, `${colour}: ${contrast(colour).toFixed(2)}:1`)
  }
})

t.test('the flag lane draws a shape and the number for each marker', async (t) => {
  const calls: string[] = []
  const ctx: any = new Proxy(
    {},
    {
      get: (target: any, key: string) =>
        key in target ? target[key] : (...args: unknown[]) => calls.push(`${key}(${args.map((a) => (typeof a === 'number' ? Math.round(a) : a)).join(',')})`),
      set: (target: any, key: string, value) => ((target[key] = value), true),
    },
  )
  const chart: any = {
    ctx,
    chartArea: { top: 40, left: 30, right: 600 },
    scales: { x: { getPixelForValue: (v: number) => v * 50 }, y: { getPixelForValue: (v: number) => 300 - v * 5 } },
  }
  ;(flagLanePlugin.afterDatasetsDraw as any)(
    chart,
    {} as any,
    {
      markers: [
        { n: 1, x: 5, y: 21, severity: 'alert' },
        { n: 2, x: 5, y: 21, severity: 'notice' },
      ],
      colours: { alert: 'red', warning: 'orange', notice: 'blue' },
      text: '#000',
      fontFamily: 'sans',
    } as any,
  )
  t.ok(calls.includes('fillText(1,244,26)'), 'number beside the first marker')
  t.ok(calls.includes('fillText(2,274,26)'), 'a second flag at the same session sits beside the first, the pair centred on the session')
  t.equal(calls.filter((c) => c.startsWith('stroke(')).length, 1, 'one guide line per session')
  t.ok(
    calls.some((c) => c.startsWith('arc(')),
    'notice is a circle',
  )
  const shapes: string[] = []
  const rec: any = new Proxy({}, { get: (_t, k: string) => () => shapes.push(String(k)), set: () => true })
  drawMarkerShape(rec, 'warning', 0, 0, 5)
  t.same(shapes, ['beginPath', 'moveTo', 'lineTo', 'lineTo', 'lineTo', 'closePath', 'fill'], 'warning is a diamond')
})
