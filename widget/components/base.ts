import { LitElement, type PropertyValues } from 'lit'
import { property, state } from 'lit/decorators.js'
import { ApiError, NetworkError, request, type ApiHost, type RequestOptions } from '../api/client.js'
import { framgangEvent, type FramgangEventDetails, type FramgangEventName } from '../events.js'
import { defaultLang, langFromTag, localize, type Lang } from '../i18n/index.js'

export type LoadState = 'idle' | 'loading' | 'ready' | 'error'

/** How long a component waits for the host to answer `framgang-token-expired` with a fresh token. */
const tokenWaitMs = 30_000

/**
 * What every Framgang element shares: the attributes of the embedding contract, the language,
 * typed events, and requests with the embed token (a 401 asks the host for a fresh one).
 */
export class FramgangElement extends LitElement implements ApiHost {
  /** Base URL of the service, e.g. `https://framgang.example.no` (no trailing `/v1`). Empty: same origin. */
  @property({ attribute: 'api-base' }) apiBase = ''
  /** Embed token from the host's backend (`POST /v1/embed-tokens`). Never reflected to the DOM. */
  @property() token = ''
  @property({ attribute: 'family-id' }) familyId = ''
  @property({ attribute: 'member-id' }) memberId = ''
  /** nb, nn or en. Without it: the closest `lang` on the host page, else nb. */
  @property() override lang = ''
  @property() view = ''

  /** Waiting for a fresh token after a 401: shown to the user, and requests hold. */
  @state() protected waitingForToken = false

  private tokenResolve: ((token: string) => void) | null = null
  private tokenReject: ((error: Error) => void) | null = null
  private tokenWait: Promise<string> | null = null
  private langObserver: MutationObserver | null = null

  get resolvedLang(): Lang {
    const own = langFromTag(this.lang)
    if (own) return own
    // The closest lang on the host page, crossing shadow roots the element may sit in.
    let node: Node | null = this.parentNode
    while (node) {
      if (node instanceof Element && node.hasAttribute('lang')) {
        const found = langFromTag(node.getAttribute('lang'))
        if (found) return found
        break
      }
      node = node instanceof ShadowRoot ? node.host : node.parentNode
    }
    return langFromTag(document.documentElement.lang) ?? defaultLang
  }

  protected get i18n() {
    return localize(this.resolvedLang)
  }

  override connectedCallback(): void {
    super.connectedCallback()
    // Hosts that switch language on <html lang> see the widget follow.
    this.langObserver = new MutationObserver(() => this.langChanged())
    this.langObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] })
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.langObserver?.disconnect()
    this.langObserver = null
    this.tokenReject?.(new Error('disconnected'))
  }

  /** The page language changed under the element (no property of its own did). */
  protected langChanged(): void {
    this.requestUpdate()
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed)
    if (changed.has('token') && this.token && this.tokenResolve) this.tokenResolve(this.token)
  }

  /**
   * Whether a change calls for fetching (again): one of `keys` changed, the host took its own
   * `data` away, or a token arrived while nothing (or only an error) is shown. A renewed token
   * while data is shown fetches nothing; a request waiting for it retries by itself.
   */
  protected needsFetch(changed: PropertyValues, hasData: boolean, state: LoadState, keys: string[]): boolean {
    if (hasData || !this.token) return false
    const idle = state === 'idle' || state === 'error'
    return keys.some((k) => changed.has(k)) || (changed.has('data') && !!changed.get('data')) || (changed.has('token') && idle)
  }

  protected emit<K extends FramgangEventName>(type: K, detail: FramgangEventDetails[K]): boolean {
    return this.dispatchEvent(framgangEvent(type, detail))
  }

  /** ApiHost: fires `framgang-token-expired` once and resolves when the host sets a new `token`. */
  freshToken(): Promise<string> {
    if (this.tokenWait) return this.tokenWait
    const previous = this.token
    this.tokenWait = new Promise<string>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        this.tokenWait = null
        this.tokenResolve = null
        this.tokenReject = null
        this.waitingForToken = false
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error('no fresh token'))
      }, tokenWaitMs)
      this.tokenResolve = (token) => {
        if (token === previous) return
        done()
        resolve(token)
      }
      this.tokenReject = (error) => {
        done()
        reject(error)
      }
    })
    this.waitingForToken = true
    this.emit('framgang-token-expired', { status: 401 })
    return this.tokenWait
  }

  protected api<T>(path: string, options?: RequestOptions) {
    return request<T>(this, path, options)
  }

  /** The words for a failed request, in this language. */
  protected errorText(error: unknown): string {
    const { t } = this.i18n
    if (error instanceof NetworkError) return t.offline
    if (error instanceof ApiError) {
      if (error.status === 401 || error.status === 403) return t.noAccess
      if (error.status === 404) return t.notFound
    }
    return t.genericError
  }

  protected reportError(error: unknown): void {
    this.emit('framgang-error', {
      status: error instanceof ApiError ? error.status : null,
      problem: error instanceof ApiError ? error.problem : null,
      message: error instanceof Error ? error.message : String(error),
    })
  }
}
