import WebSocket from 'ws'

export interface RpcReply {
  jsonrpc: '2.0'
  id: string | number | null
  result?: any
  error?: { code: number, message: string, data?: any }
}

export interface RpcNotification {
  jsonrpc: '2.0'
  method: string
  params?: any
}

/** A minimal JSON-RPC 2.0 client over a real WebSocket, for tests. */
export class RpcClient {
  readonly socket: WebSocket
  readonly notifications: RpcNotification[] = []
  /** every message received, in arrival order */
  readonly frames: any[] = []
  readonly #watchers = new Set<() => void>()
  readonly #pending = new Map<string | number, (reply: RpcReply) => void>()
  readonly #raw: Array<(data: unknown) => void> = []
  #nextId = 1

  private constructor (socket: WebSocket) {
    this.socket = socket
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString())
      this.frames.push(message)
      const waiter = this.#raw.shift()
      if (waiter) { waiter(message); return }
      if (!Array.isArray(message) && 'id' in message && message.id !== null && this.#pending.has(message.id)) {
        this.#pending.get(message.id)?.(message)
        this.#pending.delete(message.id)
      } else if (!Array.isArray(message) && 'method' in message) {
        this.notifications.push(message)
      }
      for (const watcher of this.#watchers) watcher()
    })
  }

  /** a client on a socket that is already open */
  static wrap (socket: WebSocket): RpcClient {
    return new RpcClient(socket)
  }

  static connect (url: string, options: WebSocket.ClientOptions = {}): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options)
      socket.once('open', () => resolve(new RpcClient(socket)))
      socket.once('error', reject)
    })
  }

  /** Sends a request and resolves with the whole reply (result or error). */
  request (method: string, params?: unknown, id: string | number = this.#nextId++): Promise<RpcReply> {
    return new Promise((resolve) => {
      this.#pending.set(id, resolve)
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }))
    })
  }

  /** The result, or a thrown error carrying the JSON-RPC error. */
  async call (method: string, params?: unknown): Promise<any> {
    const reply = await this.request(method, params)
    if (reply.error) throw Object.assign(new Error(reply.error.message), { rpc: reply.error })
    return reply.result
  }

  /** Sends raw text (or a buffer) and resolves with the next message, whatever it is. */
  sendRaw (data: string | Buffer, options: { binary?: boolean } = {}): Promise<any> {
    return new Promise((resolve) => {
      this.#raw.push(resolve)
      this.socket.send(data, { binary: options.binary ?? false })
    })
  }

  /** Resolves with the first notification (already received or still to come) that matches. */
  notification (match: (n: RpcNotification) => boolean): Promise<RpcNotification> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.notifications.find(match)
        if (!found) return false
        this.#watchers.delete(check)
        resolve(found)
        return true
      }
      if (!check()) this.#watchers.add(check)
    })
  }

  closed (): Promise<{ code: number, reason: string }> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) resolve({ code: 1006, reason: '' })
      this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
    })
  }

  terminate (): void {
    this.socket.terminate()
  }
}
