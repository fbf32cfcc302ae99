/**
 * Framgang widget: `<framgang-progress>`, `<framgang-session-form>` and `<framgang-caseload>`.
 * Loading this module (or the classic-script build) defines the three elements, once.
 */
import { FramgangCaseload } from './components/caseload.js'
import { FramgangProgress } from './components/progress.js'
import { FramgangSessionForm } from './components/session-form.js'
import { define } from './define.js'

define('framgang-progress', FramgangProgress)
define('framgang-session-form', FramgangSessionForm)
define('framgang-caseload', FramgangCaseload)

export { FramgangCaseload, FramgangProgress, FramgangSessionForm }
export type { FramgangEvent, FramgangEventDetails, FramgangEventName } from './events.js'
export type { ProgressPayload, ProgressView } from './chart/types.js'

declare global {
  interface HTMLElementTagNameMap {
    'framgang-progress': FramgangProgress
    'framgang-session-form': FramgangSessionForm
    'framgang-caseload': FramgangCaseload
  }
}
