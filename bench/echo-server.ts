import { WebSocketServer } from 'ws'

// A bare `ws` echo server in its own process: the baseline the connection benchmark holds sockets on.
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
wss.on('connection', (socket) => socket.on('message', (data) => socket.send(data)))
wss.on('listening', () => process.stdout.write(`listening ${(wss.address() as { port: number }).port}\n`))
process.on('SIGTERM', () => { wss.close(); process.exit(0) })
