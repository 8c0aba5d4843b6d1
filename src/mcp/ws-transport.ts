import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import type { WebSocket } from 'ws'
import { boundWebSocket, type SendBound, type SocketBoundOptions } from '../transport/send-bound.ts'

/**
 * The server side of MCP over WebSocket (the SDK ships only the client): one JSON-RPC message per text
 * frame. Listeners are attached at once and messages queued until start(), because ws drops messages
 * that arrive before anyone listens, and the client's initialize may come before connect() finishes.
 * With a send bound, a peer that does not read is no longer read from either (messages ws had read are held
 * until it catches up) and is closed with 1008 if it stays behind.
 */
export class WebSocketServerTransport implements Transport {
  readonly #socket: WebSocket
  #started = false
  readonly #queue: JSONRPCMessage[] = []
  readonly #bound: SendBound | undefined
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void

  constructor (socket: WebSocket, bound?: SocketBoundOptions) {
    this.#socket = socket
    this.#bound = bound && boundWebSocket(socket, bound, () => { this.#flush() })
    socket.on('message', (data, isBinary) => {
      let message: JSONRPCMessage
      try {
        message = JSONRPCMessageSchema.parse(JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString()))
      } catch (err) {
        this.onerror?.(err instanceof Error ? err : new Error(String(err)))
        return
      }
      // closing (the peer was too slow): what it still sends is not answered
      if (socket.readyState !== socket.OPEN) return
      this.#queue.push(message)
      this.#flush()
    })
    socket.once('close', () => this.onclose?.())
    socket.on('error', (err) => this.onerror?.(err))
  }

  async start (): Promise<void> {
    if (this.#started) throw new Error('WebSocketServerTransport already started')
    this.#started = true
    this.#flush()
  }

  #flush (): void {
    while (this.#started && this.#bound?.over !== true && this.#queue.length > 0) this.onmessage?.(this.#queue.shift() as JSONRPCMessage)
  }

  send (message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#socket.readyState !== this.#socket.OPEN) { reject(new Error('Not connected')); return }
      this.#socket.send(JSON.stringify(message), (err) => (err ? reject(err) : resolve()))
      this.#bound?.check()
    })
  }

  async close (): Promise<void> {
    this.#socket.close(1000)
  }
}
