// JSON-RPC 2.0 over the server's WebSocket (/mcp): calls with ids, stream.event notifications routed
// to the request they belong to, and events.event notifications handed to subscribers.

export interface RpcErrorObject { code: number, message: string, data?: { reason?: string, [key: string]: unknown } }

export class RpcError extends Error {
  readonly code: number
  readonly reason: string | undefined
  constructor (error: RpcErrorObject) {
    super(error.message)
    this.code = error.code
    this.reason = error.data?.reason
  }
}

/** one stream.event notification (persona.chat_stream, conversation.run) */
export interface StreamEvent { event_type: string, stream_id: string, data?: Record<string, unknown>, [key: string]: unknown }
/** one events.event notification (events.subscribe) */
export interface ServerEvent { topic: string, event: string, timestamp: string, data: Record<string, unknown> }

interface Pending { resolve: (value: unknown) => void, reject: (err: Error) => void, onStream?: (event: StreamEvent) => void }

export class RpcSocket {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly eventListeners = new Set<(event: ServerEvent) => void>()
  private readonly closeListeners = new Set<(code: number) => void>()

  private constructor (private readonly ws: WebSocket) {
    ws.addEventListener('message', (message) => this.receive(String(message.data)))
    ws.addEventListener('close', (close) => {
      for (const p of this.pending.values()) p.reject(new Error(`connection closed (${close.code})`))
      this.pending.clear()
      for (const listener of this.closeListeners) listener(close.code)
    })
  }

  /**
   * Opens the socket. A browser cannot set headers on a WebSocket, so the key travels as the subprotocol
   * `apikey.<key>` beside `jsonrpc` (never in the URL, which would land in logs); the server answers `jsonrpc`.
   */
  static connect (url: string, key?: string): Promise<RpcSocket> {
    return new Promise((resolve, reject) => {
      let ws: WebSocket
      try {
        ws = new WebSocket(url, key ? ['jsonrpc', `apikey.${key}`] : ['jsonrpc'])
      } catch (err) {
        // a key with spaces or separators is no valid subprotocol token
        return reject(new Error(`This key cannot be sent on a WebSocket: ${(err as Error).message}`))
      }
      const failed = () => reject(new Error('The server refused the connection'))
      ws.addEventListener('close', failed, { once: true })
      ws.addEventListener('open', () => {
        ws.removeEventListener('close', failed)
        resolve(new RpcSocket(ws))
      }, { once: true })
    })
  }

  call<T = Record<string, unknown>> (method: string, params: Record<string, unknown> = {}, onStream?: (event: StreamEvent) => void): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) return reject(new Error('not connected'))
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onStream })
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  }

  onEvent (listener: (event: ServerEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  onClose (listener: (code: number) => void): () => void {
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  get open (): boolean { return this.ws.readyState === WebSocket.OPEN }

  close (): void { this.ws.close(1000) }

  private receive (text: string): void {
    let message: { id?: number, method?: string, params?: Record<string, unknown>, result?: unknown, error?: RpcErrorObject }
    try { message = JSON.parse(text) } catch { return }
    if (message.method === 'stream.event') {
      const params = message.params as StreamEvent & { request_id?: number }
      if (typeof params.request_id === 'number') this.pending.get(params.request_id)?.onStream?.(params)
      return
    }
    if (message.method === 'events.event') {
      for (const listener of this.eventListeners) listener(message.params as unknown as ServerEvent)
      return
    }
    if (typeof message.id !== 'number') return
    const pending = this.pending.get(message.id)
    if (!pending) return
    this.pending.delete(message.id)
    if (message.error) pending.reject(new RpcError(message.error))
    else pending.resolve(message.result)
  }
}
