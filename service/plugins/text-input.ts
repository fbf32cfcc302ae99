import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonPointer } from './json-pointer.js'
import { badRequest, type FieldError } from './problems.js'

/** A string the database would refuse (NUL) or store altered (an unpaired surrogate), or null. */
function textFault(text: string): 'nul' | 'surrogate' | null {
  if (text.includes('\u0000')) return 'nul'
  // With the u flag a surrogate pair is one code point, so this matches unpaired halves only.
  if (/[\uD800-\uDFFF]/u.test(text)) return 'surrogate'
  return null
}

const MESSAGES = {
  nul: {
    value: 'may not contain the NUL character',
    name: 'a field name here contains the NUL character',
    detail: 'Text may not contain the NUL character (U+0000)',
  },
  surrogate: {
    value: 'is not valid Unicode text: it holds an unpaired surrogate (\\ud800–\\udfff alone)',
    name: 'a field name here is not valid Unicode text: it holds an unpaired surrogate',
    detail: 'Text must be valid Unicode; an unpaired surrogate cannot be stored as it was sent',
  },
} as const

/** At most this many faulty strings are named in one answer. */
const MAX_FINDINGS = 10

interface Finding {
  fault: 'nul' | 'surrogate'
  path: string
  inName: boolean
}

/**
 * Every faulty string or field name in a parsed value, in document order, up to MAX_FINDINGS.
 * An explicit stack instead of recursion: how deep a value nests cannot exhaust the call stack.
 */
function findBadText(root: unknown): Finding[] {
  const found: Finding[] = []
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }]
  while (stack.length > 0 && found.length < MAX_FINDINGS) {
    const { value, path } = stack.pop()!
    if (typeof value === 'string') {
      const fault = textFault(value)
      if (fault) found.push({ fault, path: jsonPointer(path), inName: false })
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] })
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value)
      const children: typeof stack = []
      for (const [name, child] of entries) {
        const fault = textFault(name)
        // A faulty name is not repeated back: the pointer names the object that holds it.
        if (fault) found.push({ fault, path: jsonPointer(path), inName: true })
        else children.push({ value: child, path: [...path, name] })
      }
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
    }
  }
  return found.slice(0, MAX_FINDINGS)
}

/**
 * Text the database cannot hold as sent is refused up front, in any body or query field, with a
 * 400 naming the field: the NUL character (PostgreSQL text cannot hold it) and unpaired
 * surrogates (JSON.parse makes them from "\ud800"; encoding them as UTF-8 would store U+FFFD).
 * A body that is not valid UTF-8 at all is refused when it is parsed (json-body.ts).
 */
async function textInput(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    const findings = [
      ...findBadText(request.body).map((f) => ({ ...f, place: '' })),
      ...findBadText(request.query).map((f) => ({ ...f, place: 'query parameter ' })),
    ].slice(0, MAX_FINDINGS)
    if (findings.length === 0) return
    const errors: FieldError[] = findings.map((f) => ({ path: f.path, message: `${f.place}${f.inName ? MESSAGES[f.fault].name : MESSAGES[f.fault].value}` }))
    const detail = [...new Set(findings.map((f) => MESSAGES[f.fault].detail))].join('; ')
    throw badRequest(detail, errors)
  })
}

export default fp(textInput, { name: 'text-input' })
