import { createDb, inMunicipality } from '../../service/db/kysely.js'

function daysAgo(n: number) {
  const d = new Date()
  d.setUTCDate(d.getUTCDate() - n)
  return d.toISOString().slice(0, 10)
}

/** n families for one coordinator, each with two members and 12 rated sessions. */
export async function seedCaseload(db: ReturnType<typeof createDb>, municipalityId: string, coordinatorRef: string, n: number) {
  return inMunicipality(db, municipalityId, async (trx) => {
    const c = await trx.insertInto('coordinators').values({ municipality_id: municipalityId, external_ref: coordinatorRef, display_name: coordinatorRef }).returning('coordinator_id').executeTakeFirstOrThrow()
    for (let f = 0; f < n; f++) {
      const family = await trx.insertInto('families').values({ municipality_id: municipalityId, external_ref: `${coordinatorRef}-${f}`, coordinator_id: c.coordinator_id, started_on: daysAgo(400), ended_on: null, ending: null }).returning('family_id').executeTakeFirstOrThrow()
      const members = await trx
        .insertInto('members')
        .values([
          { municipality_id: municipalityId, family_id: family.family_id, alias: 'A', role: 'adult', birth_date: '1985-05-05' },
          { municipality_id: municipalityId, family_id: family.family_id, alias: 'B', role: 'child', birth_date: daysAgo(9 * 365) },
        ])
        .returning(['member_id', 'role'])
        .execute()
      for (let s = 0; s < 12; s++) {
        const session = await trx.insertInto('sessions').values({ municipality_id: municipalityId, family_id: family.family_id, held_on: daysAgo(380 - s * 30), kind: 'home-visit', note: null }).returning('session_id').executeTakeFirstOrThrow()
        await trx
          .insertInto('ratings')
          .values(
            members.flatMap((m) => {
              const outcome = m.role === 'adult' ? 'ORS' : 'CORS'
              const alliance = m.role === 'adult' ? 'SRS' : 'CSRS'
              const t = 180 + ((f * 7 + s * 13) % 90)
              return [
                { municipality_id: municipalityId, family_id: family.family_id, session_id: session.session_id, member_id: m.member_id, instrument_code: outcome, rater: 'self', rater_member_id: null, items: null, total: t, override_reason: null },
                { municipality_id: municipalityId, family_id: family.family_id, session_id: session.session_id, member_id: m.member_id, instrument_code: alliance, rater: 'self', rater_member_id: null, items: null, total: 340 + (s % 5) * 10, override_reason: null },
              ]
            }),
          )
          .execute()
      }
    }
    return c.coordinator_id
  })
}

