import type { WebSocket, WebSocketServer } from 'ws'

export interface HeartbeatOptions {
  /** ping every client this often; one that has not answered the previous ping is cut off */
  intervalMs: number
  /** close clients that sent nothing for this long (0: never) */
  idleMs: number
  now?: () => number
}

/**
 * Drops dead peers (no pong since the last ping: a vanished laptop, a half-open TCP connection)
 * and idle ones, so neither holds a connection slot forever. Returns a stop function.
 */
export function startHeartbeat (wss: WebSocketServer, { intervalMs, idleMs, now = Date.now }: HeartbeatOptions): () => void {
  const alive = new WeakMap<WebSocket, boolean>()
  const lastActive = new WeakMap<WebSocket, number>()
  const onConnection = (socket: WebSocket) => {
    alive.set(socket, true)
    lastActive.set(socket, now())
    socket.on('pong', () => alive.set(socket, true))
    socket.on('message', () => lastActive.set(socket, now()))
  }
  wss.on('connection', onConnection)

  const timer = setInterval(() => {
    const at = now()
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) { socket.terminate(); continue }
      if (idleMs > 0 && at - (lastActive.get(socket) ?? at) > idleMs) { socket.close(1000, 'idle timeout'); continue }
      alive.set(socket, false)
      socket.ping()
    }
  }, intervalMs)
  timer.unref()
  return () => {
    clearInterval(timer)
    wss.off('connection', onConnection)
  }
}
