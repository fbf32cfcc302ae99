import type { Severity } from '../service/contracts/common.js'
import { severityRank } from '../service/domain/severity.js'

/** Most severe first, ranked as the service ranks them; for any list of flags (chart, family, caseload). */
export const bySeverity = (a: { severity: Severity }, b: { severity: Severity }) => severityRank(b.severity) - severityRank(a.severity)
