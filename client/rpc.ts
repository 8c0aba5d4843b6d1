import WebSocket from 'ws'

// A small JSON-RPC 2.0 client over a WebSocket, shared by the REPL and the quick test.
// Requests get numeric ids; server notifications (stream.event, event.*) go to listeners.

export interface RpcErrorBody { code: number, message: string, data?: any }
export interface RpcNotification { method: string, params?: any }

/** A JSON-RPC error reply, kept whole so callers can show code, data.reason and data.retry_after. */
export class RpcCallError extends Error {
  readonly code: number
  readonly data: any
  constructor (body: RpcErrorBody) {
    super(body.message)
    this.code = body.code
    this.data = body.data
  }
}

export interface ConnectOptions {
  /** sent as `Authorization: Bearer <key>` on the upgrade request */
  apiKey?: string
  timeoutMs?: number
}

export class RpcConnection {
  readonly #socket: WebSocket
  readonly #pending = new Map<number, { resolve: (value: any) => void, reject: (err: Error) => void }>()
  readonly #listeners = new Set<(n: RpcNotification) => void>()
  #nextId = 1
  #closeInfo: { code: number, reason: string } | undefined

  private constructor (socket: WebSocket) {
    this.#socket = socket
    socket.on('message', (data) => this.#receive(data.toString()))
    // a reset connection is reported by the close event that follows; the error itself adds nothing
    socket.on('error', () => {})
    socket.on('close', (code, reason) => {
      this.#closeInfo = { code, reason: reason.toString() }
      const gone = new Error(`connection closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`)
      for (const { reject } of this.#pending.values()) reject(gone)
      this.#pending.clear()
    })
  }

  static connect (url: string, options: ConnectOptions = {}): Promise<RpcConnection> {
    const headers = options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : undefined
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers, handshakeTimeout: options.timeoutMs ?? 10_000 })
      // a refused upgrade (401, 403, 503) says more than ws's generic error text
      socket.once('unexpected-response', (_req, res) => {
        const hint = res.statusCode === 401 || res.statusCode === 403 ? ' (check --api-key / PERSONA_API_KEY)' : ''
        reject(new Error(`server refused the connection: HTTP ${res.statusCode ?? '?'} ${res.statusMessage ?? ''}${hint}`.trim()))
        socket.terminate()
      })
      socket.once('open', () => resolve(new RpcConnection(socket)))
      // `on`, not `once`: a refused upgrade can be followed by a second error, which must not go unhandled
      socket.on('error', (err) => reject(new Error(`cannot connect to ${url}: ${err.message}`)))
    })
  }

  /** Sends a request; `id` is known at once so callers can match the notifications it causes. */
  request (method: string, params?: unknown): { id: number, result: Promise<any> } {
    const id = this.#nextId++
    const result = new Promise<any>((resolve, reject) => {
      if (this.#socket.readyState !== WebSocket.OPEN) {
        reject(new Error('not connected'))
        return
      }
      this.#pending.set(id, { resolve, reject })
      this.#socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }))
    })
    return { id, result }
  }

  call (method: string, params?: unknown): Promise<any> {
    return this.request(method, params).result
  }

  onNotification (listener: (n: RpcNotification) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  onClose (listener: (info: { code: number, reason: string }) => void): void {
    if (this.#closeInfo) listener(this.#closeInfo)
    else this.#socket.once('close', (code, reason) => listener({ code, reason: reason.toString() }))
  }

  close (): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve())
      this.#socket.close(1000)
    })
  }

  #receive (text: string): void {
    let message: any
    try { message = JSON.parse(text) } catch { return }
    // the client never sends batches, so every reply is a single object
    if (message === null || typeof message !== 'object' || Array.isArray(message)) return
    if (typeof message.method === 'string' && !('id' in message)) {
      for (const listener of this.#listeners) listener({ method: message.method, params: message.params })
      return
    }
    const waiter = this.#pending.get(message.id)
    if (!waiter) return
    this.#pending.delete(message.id)
    if (message.error) waiter.reject(new RpcCallError(message.error))
    else waiter.resolve(message.result)
  }
}
