import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { badRequest } from './problems.js'

/** The JSON Pointer of the first string holding a NUL character, or null. */
function nulAt(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = nulAt(v, `${path}/${i}`)
      if (hit !== null) return hit
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = nulAt(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)
      if (hit !== null) return hit
    }
  }
  return null
}

/**
 * PostgreSQL text cannot hold a NUL character. Refuse it up front, in any body or query field,
 * with a 400 naming the field, instead of failing at the database.
 */
async function textInput(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    const inBody = nulAt(request.body, '')
    const inQuery = nulAt(request.query, '')
    const path = inBody ?? inQuery
    if (path !== null) throw badRequest('Text may not contain the NUL character (U+0000)', [{ path, message: `${inBody === null ? 'query parameter ' : ''}may not contain the NUL character` }])
  })
}

export default fp(textInput, { name: 'text-input' })
