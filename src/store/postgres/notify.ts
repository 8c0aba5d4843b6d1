// One PostgreSQL LISTEN/NOTIFY channel shared by every instance on the database: messages published on one
// instance reach the handlers of all the others (never its own: the publisher delivers locally itself).
// A NOTIFY payload holds at most 8000 bytes, so longer messages go as numbered parts and are put back
// together by the receiver (parts of one message may arrive over different connections, in any order).
// One dedicated connection listens; when it drops, it reconnects and listens again, and then tells its
// reconnect handlers: whatever was sent while it was down is lost, so they must catch up another way.
import { randomUUID } from 'node:crypto'
import pg from 'pg'

export interface ChannelLogger {
  warn (obj: object, msg?: string): void
  info? (obj: object, msg?: string): void
}

export interface NotifyChannel {
  /** this instance's id: messages carry it, so an instance ignores its own */
  readonly instanceId: string
  publish (message: unknown): Promise<void>
  /** returns the function that removes the handler */
  subscribe (handler: (message: unknown) => void): () => void
  /**
   * whether the listener hears the channel: it is connected and this instance's own last message came back
   * through it within `withinMs` (a connection can go deaf without an error)
   */
  hearing (withinMs: number): boolean
  /** runs after the listener is back from a lost connection (never for the first); returns its remover */
  onReconnect (handler: () => void): () => void
  close (): Promise<void>
}

export interface NotifyChannelOptions {
  url: string
  /** a publishing pool (the store's); the listener has a connection of its own */
  pool: pg.Pool
  channel: string
  log?: ChannelLogger
  /** characters of message text per NOTIFY (tests make it small) */
  partChars?: number
}

interface Part { i: string, m: string, n: number, of: number, d: string }

const RECONNECT_MS = 1000
/** an incomplete message is dropped after this long (its other parts were lost with a connection) */
const PARTS_TTL_MS = 30_000

export async function openNotifyChannel (options: NotifyChannelOptions): Promise<NotifyChannel> {
  const { pool, channel, log } = options
  // JSON may spend up to 6 bytes on one character (\u escapes), and a payload holds 8000 bytes
  const partChars = options.partChars ?? 1200
  const instanceId = randomUUID()
  const handlers = new Set<(message: unknown) => void>()
  const reconnectHandlers = new Set<() => void>()
  const pending = new Map<string, { parts: string[], got: number, at: number }>()
  let listener: pg.Client | undefined
  let closed = false
  let reconnect: NodeJS.Timeout | undefined
  /** when a message this instance sent last came back (or the channel opened) */
  let heardOwnAt = Date.now()

  const deliver = (text: string) => {
    let message: unknown
    try { message = JSON.parse(text) } catch { return }
    for (const handler of handlers) {
      try { handler(message) } catch (err) { log?.warn({ err, channel }, 'a notification handler failed') }
    }
  }

  const receive = (payload: string | undefined) => {
    if (payload === undefined) return
    let part: Part
    try { part = JSON.parse(payload) as Part } catch { return }
    if (part.i === instanceId) { heardOwnAt = Date.now(); return }
    if (part.of === 1) { deliver(part.d); return }
    const now = Date.now()
    for (const [id, entry] of pending) if (now - entry.at > PARTS_TTL_MS) pending.delete(id)
    const entry = pending.get(part.m) ?? { parts: new Array<string>(part.of), got: 0, at: now }
    if (entry.parts[part.n] === undefined) { entry.parts[part.n] = part.d; entry.got++ }
    pending.set(part.m, entry)
    if (entry.got === part.of) { pending.delete(part.m); deliver(entry.parts.join('')) }
  }

  const reconnected = () => {
    for (const handler of reconnectHandlers) {
      try { handler() } catch (err) { log?.warn({ err, channel }, 'a reconnect handler failed') }
    }
  }

  const listen = async (again: boolean): Promise<void> => {
    const client = new pg.Client({ connectionString: options.url })
    client.on('notification', (n) => { if (n.channel === channel) receive(n.payload) })
    // a connection that fails before it listens is retried by the caller; once it listens, a loss (an error,
    // or an end nobody asked for) is handled here, once
    const lost = (err?: Error) => {
      if (listener !== client) return
      listener = undefined
      log?.warn({ err, channel }, 'notification listener lost its connection; reconnecting')
      client.removeAllListeners('notification')
      void client.end().catch(() => {})
      if (!closed) reconnect = setTimeout(() => { void listen(true).catch(retry) }, RECONNECT_MS)
    }
    client.on('error', lost)
    client.on('end', () => { lost() })
    try {
      await client.connect()
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
    } catch (err) {
      void client.end().catch(() => {})
      throw err
    }
    if (closed) { await client.end(); return }
    listener = client
    // after LISTEN: what is sent from now on arrives, what was sent before it is for the handlers to catch up on
    if (again) reconnected()
  }
  const retry = (err: unknown) => {
    log?.warn({ err, channel }, 'notification listener cannot connect; retrying')
    if (!closed) reconnect = setTimeout(() => { void listen(true).catch(retry) }, RECONNECT_MS)
  }
  await listen(false)

  return {
    instanceId,
    async publish (message) {
      const text = JSON.stringify(message)
      const of = Math.max(1, Math.ceil(text.length / partChars))
      const m = of === 1 ? '' : randomUUID()
      for (let n = 0; n < of; n++) {
        const part: Part = { i: instanceId, m, n, of, d: text.slice(n * partChars, (n + 1) * partChars) }
        await pool.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(part)])
      }
    },
    hearing: (withinMs) => listener !== undefined && Date.now() - heardOwnAt <= withinMs,
    subscribe (handler) {
      handlers.add(handler)
      return () => { handlers.delete(handler) }
    },
    onReconnect (handler) {
      reconnectHandlers.add(handler)
      return () => { reconnectHandlers.delete(handler) }
    },
    async close () {
      closed = true
      clearTimeout(reconnect)
      handlers.clear()
      reconnectHandlers.clear()
      const client = listener
      listener = undefined
      await client?.end().catch(() => {})
    },
  }
}
