import type { Problem } from '../service/contracts/common.js'
import type { Session } from '../service/contracts/sessions.js'

/**
 * Every event the widget sends: bubbling, composed (it leaves the shadow root), prefixed
 * `framgang-`. `event.detail` has the type named here.
 */
export interface FramgangEventDetails {
  /** A request got 401. Answer by setting a fresh `token` on the element; it then retries. */
  'framgang-token-expired': { status: 401 }
  /** A family in the caseload was chosen. */
  'framgang-family-selected': { familyId: string }
  /** A session reached the service, now or replayed from the offline queue. */
  'framgang-session-saved': { familyId: string; session: Session; idempotencyKey: string; replayed: boolean }
  /** A session was kept on this device to be sent later; `waiting` counts what is waiting now. */
  'framgang-session-queued': { familyId: string; idempotencyKey: string; waiting: number }
  /** Data arrived and is shown (fetched, or set through `data`). */
  'framgang-loaded': { component: 'progress' | 'caseload' | 'session-form' }
  /** A request failed in a way the component shows; `problem` is the service's problem+json when there is one. */
  'framgang-error': { status: number | null; problem: Problem | null; message: string }
}

export type FramgangEventName = keyof FramgangEventDetails
export type FramgangEvent<K extends FramgangEventName> = CustomEvent<FramgangEventDetails[K]>

declare global {
  interface HTMLElementEventMap {
    'framgang-token-expired': FramgangEvent<'framgang-token-expired'>
    'framgang-family-selected': FramgangEvent<'framgang-family-selected'>
    'framgang-session-saved': FramgangEvent<'framgang-session-saved'>
    'framgang-session-queued': FramgangEvent<'framgang-session-queued'>
    'framgang-loaded': FramgangEvent<'framgang-loaded'>
    'framgang-error': FramgangEvent<'framgang-error'>
  }
}

export function framgangEvent<K extends FramgangEventName>(type: K, detail: FramgangEventDetails[K]): FramgangEvent<K> {
  return new CustomEvent(type, { detail, bubbles: true, composed: true })
}
