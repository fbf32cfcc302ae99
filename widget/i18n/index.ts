import type { Catalogue, Lang } from './catalogue.js'
import { en } from './en.js'
import { nb } from './nb.js'
import { nn } from './nn.js'

export type { Catalogue, Lang } from './catalogue.js'

export const catalogues: Record<Lang, Catalogue> = { nb, nn, en }
export const defaultLang: Lang = 'nb'

/**
 * The widget language for a BCP 47 tag as a host page writes it: `nn`, `nn-NO` → nn; `nb`, `no`,
 * `nb-NO` → nb; any `en` → en. Anything else (or nothing) → null, so the caller can look further.
 */
export function langFromTag(tag: string | null | undefined): Lang | null {
  if (!tag) return null
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0]
  if (primary === 'nn') return 'nn'
  if (primary === 'nb' || primary === 'no') return 'nb'
  if (primary === 'en') return 'en'
  return null
}

/** Numbers and dates written for one language. Dates are ISO calendar dates, never shifted by a time zone. */
export interface Formatters {
  /** A score as entered: always one decimal (23 → "23,0"). */
  score(value: number): string
  /** A computed figure rounded for display. */
  decimal(value: number, digits?: number): string
  /** A change with its sign (+0,4 / −1,2). */
  signed(value: number, digits?: number): string
  integer(value: number): string
  /** 2026-03-14 → "14. mars 2026". */
  date(iso: string): string
}

export function formatters(t: Catalogue): Formatters {
  const score = new Intl.NumberFormat(t.locales, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
  const integer = new Intl.NumberFormat(t.locales, { maximumFractionDigits: 0 })
  const decimals = new Map<number, Intl.NumberFormat>()
  const signeds = new Map<number, Intl.NumberFormat>()
  const date = new Intl.DateTimeFormat(t.locales, { dateStyle: 'medium', timeZone: 'UTC' })
  const decimalFormat = (digits: number) => {
    let f = decimals.get(digits)
    if (!f) decimals.set(digits, (f = new Intl.NumberFormat(t.locales, { maximumFractionDigits: digits })))
    return f
  }
  const signedFormat = (digits: number) => {
    let f = signeds.get(digits)
    if (!f)
      signeds.set(
        digits,
        (f = new Intl.NumberFormat(t.locales, {
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
          signDisplay: 'exceptZero',
        })),
      )
    return f
  }
  return {
    score: (v) => score.format(v),
    decimal: (v, digits = 1) => decimalFormat(digits).format(v),
    signed: (v, digits = 1) => signedFormat(digits).format(v),
    integer: (v) => integer.format(v),
    date: (iso) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso)
      if (!m) return iso
      return date.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))))
    },
  }
}

/** The catalogue and formatters for a language, built once per language. */
const cache = new Map<Lang, { t: Catalogue; f: Formatters }>()
export function localize(lang: Lang): { t: Catalogue; f: Formatters } {
  let entry = cache.get(lang)
  if (!entry) {
    const t = catalogues[lang]
    cache.set(lang, (entry = { t, f: formatters(t) }))
  }
  return entry
}
