import { placeOn } from './axis.js'
import type { Cell, ChartInput, ExpectedModel, LineModel, TableModel } from './types.js'

/**
 * The data tables under a chart, its accessible alternative: one table per line, every cell
 * the payload's number (`value`) with its text in this language.
 */

const gap: Cell = { text: '–', value: null }

/**
 * One line's numbers, each cell the payload's. With several lines on the chart its first column
 * (the row header) is the conversation on the x-axis, where the row's point (or expected value)
 * is drawn, and the line's own session number follows under a name of its own.
 */
export function buildTable(line: LineModel, expected: ExpectedModel | null, input: ChartInput, several: boolean): TableModel {
  const table = ownTable(line, expected, input)
  if (several) {
    const at = placeOn(line)
    table.head.splice(1, 0, input.mode === 'family' ? input.t.familyColRating : input.t.colRating)
    for (const row of table.rows) {
      const x = at(row[0].value!)
      row.unshift({ text: input.f.integer(x), value: x })
    }
  }
  return table
}

function ownTable(line: LineModel, expected: ExpectedModel | null, input: ChartInput): TableModel {
  const { mode, instrument, member, t, f } = input
  const caption = t.tableCaption(mode === 'family' ? line.label : `${member.alias}, ${instrument}, ${line.label}`)
  if (mode === 'family') {
    return {
      caption,
      head: [t.familyColSession, t.colDate, t.familyColScore],
      rows: line.points.map((p) => [
        { text: f.integer(p.sessionNumber), value: p.sessionNumber },
        { text: f.date(p.heldOn), value: null },
        { text: f.score(p.y), value: p.y },
      ]),
    }
  }
  const itemCount = Math.max(0, ...line.points.map((p) => p.items?.length ?? 0))
  const labels = t.itemLabels[instrument]
  const itemHead = Array.from({ length: itemCount }, (_, i) => (labels && labels.length === itemCount ? labels[i] : f.integer(i + 1)))
  const head = [t.colSession, t.colDate, t.colTotal, ...itemHead]
  if (expected) head.push(t.colExpected('25'), t.colExpected('50'), t.colExpected('75'))

  const numbers = new Set(line.points.map((p) => p.sessionNumber))
  if (expected) expected.sessionNumbers.forEach((n) => numbers.add(n))
  const rows = [...numbers]
    .sort((a, b) => a - b)
    .map((n) => {
      const p = line.points.find((q) => q.sessionNumber === n)
      const row: Cell[] = [{ text: f.integer(n), value: n }]
      row.push(p ? { text: f.date(p.heldOn), value: null } : gap)
      row.push(p ? { text: f.score(p.y), value: p.y } : gap)
      for (let i = 0; i < itemCount; i++) {
        const v = p?.items?.[i]
        row.push(v === undefined ? gap : { text: f.score(v), value: v })
      }
      if (expected) {
        const k = expected.sessionNumbers.indexOf(n)
        for (const q of [expected.p25, expected.p50, expected.p75]) {
          row.push(k < 0 ? gap : { text: f.score(q[k]), value: q[k] })
        }
      }
      return row
    })
  return { caption, head, rows }
}
