import { isUtf8 } from 'node:buffer'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonPointer } from './json-pointer.js'
import { badRequest, type FieldError } from './problems.js'

/**
 * How deep arrays and objects may nest in a body (`{}` is one level). The deepest request of the
 * API nests four; the limit keeps every walk over a body short, whatever a client sends.
 */
export const MAX_JSON_DEPTH = 32

/**
 * A JSON number is read as a double, which keeps 15 significant digits exactly. A literal with
 * more (4.0000000000000001 reads as 4) would be taken in altered form, so it is refused; so are
 * literals that read as 0 or as infinity although they are neither.
 */
export const MAX_SIGNIFICANT_DIGITS = 15

const NUMBER = /-?(\d+)(?:\.(\d+))?(?:[eE][+-]?\d+)?/y

function numberFault(literal: string, whole: string, fraction: string | undefined): string | null {
  const value = Number(literal)
  if (!Number.isFinite(value)) return 'is too large to be a number'
  const digits = `${whole}${fraction ?? ''}`.replace(/^0+/, '').replace(/0+$/, '')
  if (value === 0 && digits.length > 0) return 'is too small to be kept: it would be read as 0'
  if (digits.length > MAX_SIGNIFICANT_DIGITS) return `has more than ${MAX_SIGNIFICANT_DIGITS} significant digits, more than a number can keep exactly`
  return null
}

interface Frame {
  array: boolean
  /** The index of the current element (arrays) … */
  index: number
  /** … or the name of the current member (objects). */
  name: string
  expectName: boolean
}

export interface JsonScan {
  /** Where nesting passes MAX_JSON_DEPTH, if it does. */
  tooDeep: string | null
  /** Number literals that a double cannot carry as written. */
  numbers: FieldError[]
}

const pathOf = (stack: Frame[]): string => jsonPointer(stack.map((f) => (f.array ? f.index : f.name)))

/**
 * One pass over the text of a JSON body, without recursion, before it is parsed: stops at the
 * first place nested deeper than MAX_JSON_DEPTH and notes number literals a double would alter.
 * Text that is not JSON ends the scan early; the parser then refuses it.
 */
export function scanJson(text: string): JsonScan {
  const stack: Frame[] = []
  const numbers: FieldError[] = []
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    const top = stack[stack.length - 1]
    if (c === 0x7b || c === 0x5b) {
      // { or [
      if (stack.length >= MAX_JSON_DEPTH) return { tooDeep: pathOf(stack), numbers }
      stack.push({ array: c === 0x5b, index: 0, name: '', expectName: c === 0x7b })
      i++
    } else if (c === 0x7d || c === 0x5d) {
      // } or ]
      if (!stack.pop()) break
      i++
    } else if (c === 0x2c) {
      // ,
      if (top?.array) top.index++
      else if (top) top.expectName = true
      i++
    } else if (c === 0x22) {
      // a string: find the closing quote, one not preceded by an odd number of backslashes
      let end = i
      for (;;) {
        end = text.indexOf('"', end + 1)
        if (end < 0) break
        let backslashes = 0
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++
        if (backslashes % 2 === 0) break
      }
      if (end < 0) break
      if (top && !top.array && top.expectName) {
        const raw = text.slice(i, end + 1)
        try {
          top.name = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1)
        } catch {
          break
        }
        top.expectName = false
      }
      i = end + 1
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      // - or a digit
      NUMBER.lastIndex = i
      const m = NUMBER.exec(text)
      if (!m) break
      const fault = numberFault(m[0], m[1], m[2])
      if (fault && numbers.length < 10) numbers.push({ path: pathOf(stack), message: fault })
      i = NUMBER.lastIndex
    } else {
      i++
    }
  }
  return { tooDeep: null, numbers }
}

/**
 * The JSON body parser: Fastify's own (with its prototype-poisoning checks), after three checks
 * it does not make. The body must be valid UTF-8 (decoding would replace bad bytes with U+FFFD,
 * storing text other than what was sent); it may nest at most MAX_JSON_DEPTH levels (checked
 * before parsing, since the poisoning check walks the parsed value recursively); and its number
 * literals must survive being read as doubles.
 */
async function jsonBody(app: FastifyInstance) {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (!isUtf8(body)) {
      done(badRequest('The body is not valid UTF-8 text', [{ path: '', message: 'the body must be UTF-8 text; it holds bytes that are not' }]), undefined)
      return
    }
    const text = body.toString('utf8')
    const scan = scanJson(text)
    if (scan.tooDeep !== null) {
      done(
        badRequest(`Arrays and objects may nest at most ${MAX_JSON_DEPTH} levels deep`, [
          { path: scan.tooDeep, message: `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep` },
        ]),
        undefined,
      )
      return
    }
    // Callback style: the parser answers through `done`, never through a promise.
    void parse(request, text, (err, value) => {
      if (err) done(err, undefined)
      else if (scan.numbers.length > 0)
        done(
          badRequest(`A number cannot be taken as written: ${scan.numbers.map((e) => `${e.path || '/'}: ${e.message}`).join('; ')}`, scan.numbers),
          undefined,
        )
      else done(null, value)
    })
  })
}

export default fp(jsonBody, { name: 'json-body' })
