import type { Plugin } from 'vite'
import { parseSync } from 'vite'

/**
 * Build-time whitespace removal inside the widget's own Lit templates, which the JS minifier
 * leaves as they are written. Only the static text of templates tagged `css`, `html` or `svg`
 * changes: in html/svg a whitespace run that contains a line break becomes one space (the
 * browser collapses it to that anyway); in css comments go and whitespace around `{ } ; ,` and
 * after `:` goes. Expressions inside `${…}` are untouched.
 */

export function minifyCss(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .replace(/:\s+/g, ':')
    .replace(/;}/g, '}')
    .trim()
}

export function minifyHtml(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ')
}

interface Node {
  type: string
  start: number
  end: number
  [key: string]: unknown
}

function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit)
    return
  }
  if (!node || typeof node !== 'object') return
  const n = node as Node
  if (typeof n.type === 'string') visit(n)
  for (const key of Object.keys(n)) {
    if (key === 'parent') continue
    const value = n[key]
    if (value && typeof value === 'object') walk(value, visit)
  }
}

export function minifyTemplates(code: string, filename: string): string | null {
  const { program, errors } = parseSync(filename, code)
  if (errors.length) return null
  const edits: { start: number; end: number; text: string }[] = []
  walk(program, (n) => {
    if (n.type !== 'TaggedTemplateExpression') return
    const tag = n.tag as Node & { name?: string }
    const kind = tag.type === 'Identifier' ? tag.name : undefined
    if (kind !== 'css' && kind !== 'html' && kind !== 'svg') return
    const quasis = (n.quasi as Node & { quasis: (Node & { value: { raw: string } })[] }).quasis
    for (const q of quasis) {
      const raw = q.value.raw
      // Offsets must address this very text; if they do not (a parser change), leave the file alone.
      const at = code.indexOf(raw, q.start)
      if (at < 0 || at > q.end) throw new Error('offsets do not match the source')
      const text = kind === 'css' ? minifyCss(raw) : minifyHtml(raw)
      if (text !== raw) edits.push({ start: at, end: at + raw.length, text })
    }
  })
  if (!edits.length) return null
  edits.sort((a, b) => b.start - a.start)
  let out = code
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end)
  return out
}

export function minifyLitTemplates(): Plugin {
  return {
    name: 'framgang-minify-lit-templates',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/widget\/.*\.ts$/.test(id) || !/\b(css|html|svg)`/.test(code)) return null
      try {
        const out = minifyTemplates(code, id)
        return out === null ? null : { code: out, map: null }
      } catch {
        return null
      }
    },
  }
}
