import type { Problem } from '../../service/contracts/common.js'

/** The service answered with an error status; `problem` is its problem+json body when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail || problem?.title || `HTTP ${status}`)
    this.name = 'ApiError'
  }
}

/** No answer at all: offline, DNS, CORS refusal, connection reset. The request may or may not have arrived. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'NetworkError'
  }
}

/** What a component gives the client: where the API is, the current token, and a way to get a fresh one. */
export interface ApiHost {
  readonly apiBase: string
  readonly token: string
  /** Asks the host page for a fresh token (`framgang-token-expired`); rejects when none comes. */
  freshToken(): Promise<string>
}

export interface RequestOptions {
  method?: 'GET' | 'POST'
  body?: unknown
  idempotencyKey?: string
  signal?: AbortSignal
  /** Injected in tests; the page's fetch otherwise. */
  fetch?: typeof fetch
}

export interface ApiResponse<T> {
  status: number
  body: T
}

export function apiUrl(apiBase: string, path: string): string {
  return apiBase.replace(/\/+$/, '') + path
}

/**
 * One request to the service with the embed token. A 401 asks the host for a fresh token and
 * retries once with it (the same idempotency key, so a retried write cannot happen twice).
 */
export async function request<T>(host: ApiHost, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const send = async (token: string) => {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
    if (token) headers.Authorization = `Bearer ${token}`
    if (options.body !== undefined) headers['Content-Type'] = 'application/json'
    if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey
    try {
      return await doFetch(apiUrl(host.apiBase, path), {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        credentials: 'omit',
        mode: 'cors',
      })
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error
      throw new NetworkError(error)
    }
  }

  let response = await send(host.token)
  if (response.status === 401) {
    let token: string
    try {
      token = await host.freshToken()
    } catch {
      throw new ApiError(401, await readProblem(response))
    }
    response = await send(token)
  }
  if (!response.ok) throw new ApiError(response.status, await readProblem(response))
  const text = response.status === 204 ? '' : await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T }
}

async function readProblem(response: Response): Promise<Problem | null> {
  try {
    const text = await response.text()
    const body = text ? JSON.parse(text) : null
    return body && typeof body === 'object' && typeof body.status === 'number' ? (body as Problem) : null
  } catch {
    return null
  }
}
