/**
 * Colours the canvas needs as plain strings. The component reads them from its own computed
 * custom properties (so host themes and Designsystemet tokens apply); these defaults are the
 * same values as the CSS fallbacks. Lines and markers are ≥ 3:1 against white (WCAG 1.4.11).
 */
export interface ChartTheme {
  series: string[]
  text: string
  textSubtle: string
  grid: string
  background: string
  cutoffBand: string
  cutoffLine: string
  expectedBand: string
  expectedLine: string
  referenceBand: string
  referenceLine: string
  alert: string
  warning: string
  notice: string
  fontFamily: string
}

export const defaultTheme: ChartTheme = {
  series: ['#1e5aa8', '#a34700', '#2e7d32', '#7b3fa0'],
  text: '#1f2328',
  textSubtle: '#4f5660',
  grid: '#e3e6ea',
  background: '#ffffff',
  cutoffBand: 'rgba(112, 120, 132, 0.11)',
  cutoffLine: '#5f6670',
  expectedBand: 'rgba(30, 90, 168, 0.13)',
  expectedLine: '#4a6f9c',
  referenceBand: 'rgba(46, 125, 50, 0.12)',
  referenceLine: '#4f7f52',
  alert: '#b3261e',
  warning: '#8a5300',
  notice: '#0b5f80',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
}

/** Custom property each theme colour is read from (declared with fallbacks in the component styles). */
export const themeProperties: Record<Exclude<keyof ChartTheme, 'series' | 'fontFamily'>, string> = {
  text: '--_text',
  textSubtle: '--_text-subtle',
  grid: '--_grid',
  background: '--_background',
  cutoffBand: '--_cutoff-band',
  cutoffLine: '--_cutoff-line',
  expectedBand: '--_expected-band',
  expectedLine: '--_expected-line',
  referenceBand: '--_reference-band',
  referenceLine: '--_reference-line',
  alert: '--_alert',
  warning: '--_warning',
  notice: '--_notice',
}

/** Reads the theme from resolved custom properties; any missing value keeps its default. */
export function readTheme(read: (property: string) => string): ChartTheme {
  const theme: ChartTheme = { ...defaultTheme, series: [...defaultTheme.series] }
  for (const [key, prop] of Object.entries(themeProperties) as [keyof typeof themeProperties, string][]) {
    const v = read(prop).trim()
    if (v) theme[key] = v
  }
  theme.series = theme.series.map((fallback, i) => read(`--_series-${i + 1}`).trim() || fallback)
  const font = read('--_font').trim()
  if (font) theme.fontFamily = font
  return theme
}
