import { createHash } from 'node:crypto'
import type { Family } from '../../contracts/families.js'
import type { Session } from '../../contracts/sessions.js'
import type { Instrument } from '../../contracts/instruments.js'

/**
 * A family's data as a FHIR R4 Bundle (type `collection`): a Patient per member, an Encounter
 * per session, a Questionnaire per instrument used, a QuestionnaireResponse per rating and an
 * Observation per total, `derivedFrom` its response. Scores are in points, as the API gives them.
 */
type Resource = Record<string, unknown> & { resourceType: string; id: string }

const INSTRUMENT_SYSTEM = 'https://framgang.no/fhir/instrument'
const urn = (id: string) => `urn:uuid:${id}`

/** A stable UUID for a resource that has no id of its own (a questionnaire per instrument). */
function nameUuid(name: string): string {
  const h = createHash('sha1').update(`framgang:${name}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`
}

export function familyBundle(family: Family, sessions: Session[], instruments: Instrument[], exportedAt: string) {
  const entries: { fullUrl: string; resource: Resource }[] = []
  const add = (resource: Resource) => entries.push({ fullUrl: urn(resource.id), resource })
  const used = new Set(sessions.flatMap((s) => s.ratings.map((r) => r.instrument)))
  const questionnaire = new Map<string, { id: string; canonical: string; instrument: Instrument }>()

  for (const instrument of instruments.filter((i) => used.has(i.code))) {
    const id = nameUuid(`questionnaire:${instrument.code}:${instrument.version}`)
    const url = `${INSTRUMENT_SYSTEM}/${instrument.code}`
    questionnaire.set(instrument.code, { id, canonical: `${url}|${instrument.version}`, instrument })
    add({
      resourceType: 'Questionnaire',
      id,
      url,
      version: instrument.version,
      name: instrument.code,
      title: instrument.name,
      status: 'active',
      subjectType: ['Patient'],
      item: instrument.items.map((item) => ({ linkId: item.key, text: item.label, type: 'decimal' })),
    })
  }

  for (const member of family.members) {
    add({
      resourceType: 'Patient',
      id: member.id,
      name: [{ use: 'usual', text: member.alias }],
      birthDate: member.birthDate,
      extension: [{ url: 'https://framgang.no/fhir/family-role', valueCode: member.role }],
    })
  }

  for (const session of sessions) {
    add({
      resourceType: 'Encounter',
      id: session.id,
      status: 'finished',
      class: {
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
        code: session.kind === 'home-visit' ? 'HH' : session.kind === 'phone' || session.kind === 'video' ? 'VR' : 'AMB',
      },
      type: [{ text: session.kind }],
      period: { start: session.heldOn, end: session.heldOn },
      subject: family.members[0] ? { reference: urn(family.members[0].id) } : undefined,
      participant: [...new Set(session.ratings.map((r) => r.memberId))].map((m) => ({ individual: { reference: urn(m) } })),
    })
    for (const rating of session.ratings) {
      const q = questionnaire.get(rating.instrument)
      const responseId = rating.id
      const observationId = nameUuid(`observation:${rating.id}`)
      const rater = rating.rater === 'self' ? rating.memberId : rating.raterMemberId
      add({
        resourceType: 'QuestionnaireResponse',
        id: responseId,
        questionnaire: q?.canonical,
        status: 'completed',
        subject: { reference: urn(rating.memberId) },
        encounter: { reference: urn(session.id) },
        authored: session.heldOn,
        ...(rater && { source: { reference: urn(rater) } }),
        extension: [{ url: 'https://framgang.no/fhir/rater', valueCode: rating.rater }],
        item:
          rating.items === null
            ? [{ linkId: 'total', text: 'Total (re-keyed from paper)', answer: [{ valueDecimal: rating.total }] }]
            : rating.items.map((value, i) => ({ linkId: q?.instrument.items[i]?.key ?? `item-${i + 1}`, answer: [{ valueDecimal: value }] })),
      })
      add({
        resourceType: 'Observation',
        id: observationId,
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' }] }],
        code: {
          coding: [{ system: INSTRUMENT_SYSTEM, code: `${rating.instrument}-total`, display: `${rating.instrument} total` }],
          text: `${rating.instrument} total`,
        },
        subject: { reference: urn(rating.memberId) },
        encounter: { reference: urn(session.id) },
        effectiveDateTime: session.heldOn,
        valueQuantity: { value: rating.total, unit: 'score' },
        derivedFrom: [{ reference: urn(responseId) }],
      })
    }
  }
  return { resourceType: 'Bundle' as const, id: nameUuid(`bundle:${family.id}:${exportedAt}`), type: 'collection', timestamp: exportedAt, entry: entries }
}
