import t from 'tap'
import { Writable } from 'node:stream'
import { connect } from 'node:net'
import WebSocket from 'ws'
import { build, listen } from '../helper.ts'

// A client's fault is the client's: a frame over maxFrameBytes, bad UTF-8 in a text frame or malformed HTTP
// is one line at info (or warn), never an error with a stack trace. Checked on the real pino output.

function captured () {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { lines, stream }
}

/** Opens a socket, lets `fault` misbehave on it, and resolves with the close code the server sent. */
function closeCodeAfter (url: string, protocols: string[], fault: (socket: WebSocket) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols)
    socket.once('open', () => fault(socket))
    socket.once('close', (code) => resolve(code))
    socket.once('error', () => {}) // the server cutting the socket is the point
    setTimeout(() => reject(new Error('no close')), 10_000).unref()
  })
}

t.test('oversize frames, invalid UTF-8 and malformed HTTP are logged as one line, not an error', async (t) => {
  const { lines, stream } = captured()
  const app = await build(t, { server: { maxFrameBytes: 1024 } }, { logger: { level: 'info', stream } })
  const url = await listen(app)
  const port = Number(new URL(url).port)

  const big = 'x'.repeat(4096)
  t.equal(await closeCodeAfter(url, ['jsonrpc'], (s) => s.send(big)), 1009, 'JSON-RPC: a frame over the limit: 1009')
  t.equal(await closeCodeAfter(url, ['mcp'], (s) => s.send(big)), 1009, 'MCP over WebSocket: 1009')
  const badUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d])
  t.equal(await closeCodeAfter(url, ['jsonrpc'], (s) => s.send(badUtf8, { binary: false })), 1007, 'invalid UTF-8 in a text frame: 1007')

  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GARBAGE / NOT-HTTP\r\n\r\n'))
    let text = ''
    socket.on('data', (chunk) => { text += chunk.toString('latin1') })
    socket.on('close', () => resolve(text))
    socket.on('error', reject)
  })
  t.match(reply, /^HTTP\/1\.1 400/, 'malformed HTTP: 400')
  // log lines are written asynchronously after the close: give the last one a moment
  await new Promise((resolve) => setTimeout(resolve, 200))

  const loud = lines.filter((l) => (l.level as number) >= 50 || JSON.stringify(l).includes('"stack"'))
  t.same(loud, [], 'no error-level line and no stack trace')
  const faults = lines.filter((l) => l.msg === 'websocket closed on a client fault')
  t.same(faults.map((l) => [l.level, l.code]).sort(), [
    [30, 'WS_ERR_INVALID_UTF8'], [30, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'], [30, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'],
  ], 'one info line per fault, naming it')
})
