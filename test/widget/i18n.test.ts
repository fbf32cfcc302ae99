import t from 'tap'
import { catalogues, formatters, langFromTag } from '../../widget/i18n/index.js'

/** Stands for any argument: a string inside a template, an object whose every field is "x". */
const any: any = new Proxy({}, { get: (_target, key) => (key === Symbol.toPrimitive ? () => 'x' : key === 'flags' ? 2 : 'x') })

/** Every string a catalogue holds; functions are called with plural and singular arguments. */
function texts(c: unknown): string[] {
  const out: string[] = []
  const visit = (v: unknown): void => {
    if (typeof v === 'string') out.push(v)
    else if (typeof v === 'function') {
      visit(v(any, any, any, any))
      visit(v(1, '1', 'x', 'x'))
    } else if (Array.isArray(v)) v.forEach(visit)
    else if (v && typeof v === 'object') Object.values(v).forEach(visit)
  }
  visit(c)
  return out
}

function shape(v: unknown): unknown {
  if (typeof v === 'function') return `fn/${(v as () => void).length}`
  if (Array.isArray(v)) return v.length
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'locales')
        .map(([k, x]) => [k, shape(x)]),
    )
  return typeof v
}

t.test('the three catalogues have the same keys and item counts', async (t) => {
  t.same(shape(catalogues.nn), shape(catalogues.nb))
  t.same(shape(catalogues.en), shape(catalogues.nb))
})

t.test('bokmål and nynorsk differ where the written standards differ', async (t) => {
  const nb = catalogues.nb
  const nn = catalogues.nn
  t.equal(nb.familyKindTitle.outcome, 'Hvordan går det?')
  t.equal(nn.familyKindTitle.outcome, 'Korleis går det?')
  t.equal(nb.sessions(2, '2'), '2 samtaler')
  t.equal(nn.sessions(2, '2'), '2 samtalar')
  t.equal(nb.sessions(1, '1'), '1 samtale')
  t.equal(nn.sessions(1, '1'), '1 samtale')
  t.match(nb.modeSkip, /ikke/i)
  t.match(nn.modeSkip, /ikkje/i)
  const nnText = texts(nn).join('\n')
  // Bokmål words that have a different nynorsk form must not slip into the nynorsk catalogue.
  for (const word of [
    /\bikke\b/i,
    /\bhvordan\b/i,
    /\bhvem\b/i,
    /\bsamtaler\b/,
    /\bnoe\b/i,
    /\bfra\b/,
    /\bsiden\b/,
    /\bhente[rt]?\b/i,
    /\bvelg\b/i,
    /\bjeg\b/i,
    /\bmye\b/i,
    /\bdager\b/,
    /\bskjul\b/i,
  ]) {
    t.notMatch(nnText, word, `nynorsk has no ${word}`)
  }
  const nbText = texts(nb).join('\n')
  for (const word of [/\bikkje\b/i, /\bkorleis\b/i, /\bkven\b/i, /\bsamtalar\b/, /\bnoko\b/i, /\bfrå\b/, /\bsidan\b/, /\bgøym\b/i]) {
    t.notMatch(nbText, word, `bokmål has no ${word}`)
  }
})

t.test('family words avoid clinical language', async (t) => {
  for (const [lang, c] of Object.entries(catalogues)) {
    const family = [
      ...texts(c.familyKindTitle),
      ...texts(c.familyReferenceBand),
      ...texts(c.familyTrend),
      c.familyDirection,
      c.familySessionAxis,
      c.familyScoreAxis,
      c.familyShowTable,
      c.familyHideTable,
      c.familyColSession,
      c.familyColRating,
      c.familyColScore,
      c.familyTitle('Emma'),
      c.familySelf('Emma'),
      c.familyAbout('Kari', 'Emma'),
      c.familySummary({ who: 'Emma', count: '3', latest: '20,0', max: '40', date: 'x', trend: c.familyTrend.down }),
    ].join('\n')
    t.notMatch(family, /klinisk|clinical|forverr|deteriorat|persentil|percentile|unsuccessful|mislykk|cutoff|grense/i, lang)
  }
})

t.test('language tags from host pages', async (t) => {
  t.equal(langFromTag('nn-NO'), 'nn')
  t.equal(langFromTag('nb'), 'nb')
  t.equal(langFromTag('no'), 'nb')
  t.equal(langFromTag('NB_no'), 'nb')
  t.equal(langFromTag('en-US'), 'en')
  t.equal(langFromTag('se'), null)
  t.equal(langFromTag(''), null)
  t.equal(langFromTag(undefined), null)
})

t.test('numbers and dates are written for the language', async (t) => {
  const nb = formatters(catalogues.nb)
  const en = formatters(catalogues.en)
  t.equal(nb.score(23), '23,0')
  t.equal(nb.score(23.45), '23,5')
  t.equal(en.score(23), '23.0')
  t.equal(nb.signed(0.42, 2), '+0,42')
  t.match(nb.signed(-1.5, 1), /^[−-]1,5$/)
  t.equal(nb.date('2026-03-14'), '14. mars 2026')
  t.equal(en.date('2026-03-14'), '14 Mar 2026')
  // A date is a calendar date: no time zone may move it to the 13th or 15th.
  t.equal(nb.date('2026-01-01'), '1. jan. 2026')
  t.equal(nb.date('not a date'), 'not a date')
  const nn = formatters(catalogues.nn)
  t.match(nn.date('2026-03-14'), /^14\. mars 2026$/)
})
