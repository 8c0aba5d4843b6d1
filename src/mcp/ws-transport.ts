import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import type { WebSocket } from 'ws'

/**
 * The server side of MCP over WebSocket (the SDK ships only the client): one JSON-RPC message per text
 * frame. Listeners are attached at once and messages queued until start(), because ws drops messages
 * that arrive before anyone listens, and the client's initialize may come before connect() finishes.
 */
export class WebSocketServerTransport implements Transport {
  readonly #socket: WebSocket
  #started = false
  readonly #queue: JSONRPCMessage[] = []
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void

  constructor (socket: WebSocket) {
    this.#socket = socket
    socket.on('message', (data, isBinary) => {
      let message: JSONRPCMessage
      try {
        message = JSONRPCMessageSchema.parse(JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString()))
      } catch (err) {
        this.onerror?.(err instanceof Error ? err : new Error(String(err)))
        return
      }
      if (this.#started) this.onmessage?.(message)
      else this.#queue.push(message)
    })
    socket.once('close', () => this.onclose?.())
    socket.on('error', (err) => this.onerror?.(err))
  }

  async start (): Promise<void> {
    if (this.#started) throw new Error('WebSocketServerTransport already started')
    this.#started = true
    for (const message of this.#queue.splice(0)) this.onmessage?.(message)
  }

  send (message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#socket.readyState !== this.#socket.OPEN) { reject(new Error('Not connected')); return }
      this.#socket.send(JSON.stringify(message), (err) => (err ? reject(err) : resolve()))
    })
  }

  async close (): Promise<void> {
    this.#socket.close(1000)
  }
}
