import type { IsoDate } from '../contracts/common.js'
import type { FieldProblem } from './field-problem.js'

/** Birth dates are real ones: not in the future (the municipality's today) and not before 1900. */
export function birthDateErrors(members: readonly { birthDate: IsoDate }[], today: IsoDate, prefix: string): FieldProblem[] {
  return members.flatMap((m, i) =>
    m.birthDate > today
      ? [{ path: `${prefix}/${i}/birthDate`, message: 'a birth date cannot be in the future' }]
      : m.birthDate < '1900-01-01'
        ? [{ path: `${prefix}/${i}/birthDate`, message: 'a birth date before 1900 is not plausible' }]
        : [],
  )
}

/** A family starts today at the latest. */
export function startDateErrors(startedOn: IsoDate, today: IsoDate): FieldProblem[] {
  return startedOn > today ? [{ path: '/startedOn', message: `a family cannot start in the future (today is ${today})` }] : []
}

/**
 * A family ends on or after its start and its last session (the mirror of the session rule: no
 * session after the family ended), and today at the latest.
 */
export function endDateErrors(endedOn: IsoDate, family: { startedOn: IsoDate; lastSessionOn: IsoDate | null }, today: IsoDate): FieldProblem[] {
  const errors: FieldProblem[] = []
  if (endedOn < family.startedOn) errors.push({ path: '/endedOn', message: `a family cannot end before it started (${family.startedOn})` })
  if (endedOn > today) errors.push({ path: '/endedOn', message: `a family cannot end in the future (today is ${today})` })
  if (family.lastSessionOn !== null && endedOn < family.lastSessionOn)
    errors.push({ path: '/endedOn', message: `a family cannot end before its last session (${family.lastSessionOn})` })
  return errors
}
