import readline from 'node:readline'
import { readOptions, type ClientOptions } from './args.ts'
import { runLine, type Session } from './commands.ts'
import { colourEnabled, describeError, palette } from './format.ts'
import { historyFile, Lines, loadHistory, saveHistory } from './input.ts'
import { RpcConnection } from './rpc.ts'

// The interactive terminal client: `npm run client -- --url ws://HOST:8000/mcp --api-key KEY`.

const USAGE = `usage: npm run client -- [--url ws://127.0.0.1:8000/mcp] [--api-key KEY]
  --url, -u       server WebSocket (default PERSONA_URL, then ws://127.0.0.1:8000/mcp)
  --api-key, -k   sent as "Authorization: Bearer KEY" (default PERSONA_API_KEY)
Type "help" once connected. Input history is kept in PERSONA_CLIENT_HISTORY (default ~/.persona-mcp-history; empty: none).`

async function main (): Promise<void> {
  let options: ClientOptions
  try {
    options = readOptions(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`)
    process.exitCode = 2
    return
  }
  if (options.help) { console.log(USAGE); return }
  const c = palette(colourEnabled(process.stdout))
  const connect = () => RpcConnection.connect(options.url, { apiKey: options.apiKey })
  let rpc: RpcConnection
  try {
    rpc = await connect()
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`)
    process.exitCode = 1
    return
  }
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY)
  const historyPath = historyFile()
  const rl = readline.createInterface({
    input: process.stdin, output: process.stdout, terminal, history: loadHistory(historyPath), historySize: 1000, removeHistoryDuplicates: true,
  })
  let history: string[] = []
  rl.on('history', (h: string[]) => { history = h })
  const lines = new Lines()
  const prompt = () => {
    rl.setPrompt(s.persona ? `${c.cyan(s.persona.name)}${c.dim('>')} ` : c.dim('> '))
    if (terminal) rl.prompt()
  }
  const s: Session = {
    rpc, c, done: false,
    print: (line) => process.stdout.write(`${line}\n`),
    write: (text) => process.stdout.write(text),
    ask: async (question) => {
      rl.setPrompt(question)
      if (terminal) { rl.prompt(); return lines.next() }
      // piped input is not echoed: end the question's line so the next output starts afresh
      process.stdout.write(question)
      const answer = await lines.next()
      process.stdout.write('\n')
      return answer
    },
  }
  rl.on('line', (line) => {
    // /cancel acts at once, without queueing behind the stream it stops
    if (s.stream && line.trim() === '/cancel') s.stream.cancel()
    else lines.push(line)
  })
  rl.on('close', () => lines.end())
  const interrupt = () => {
    if (s.stream) { s.stream.cancel(); return }
    // input from a pipe or file cannot type quit: Ctrl-C then means stop, as in any filter
    if (!terminal) process.exit(130)
    if (rl.line !== '') {
      rl.write(null, { ctrl: true, name: 'e' })
      rl.write(null, { ctrl: true, name: 'u' })
      return
    }
    process.stdout.write(`\n${c.dim('(type quit or press Ctrl-D to leave)')}\n`)
    prompt()
  }
  rl.on('SIGINT', interrupt)
  process.on('SIGINT', interrupt) // without a terminal, Ctrl-C reaches the process as a signal

  // The server closes idle connections (server.idleTimeoutSeconds) and restarts happen: the client
  // then reconnects with the next command and takes its session (persona, conversation) back.
  let leaving = false
  let lost = false
  let sessionId: string | undefined
  const watch = (conn: RpcConnection) => conn.onClose(({ code, reason }) => {
    if (leaving || conn !== s.rpc) return
    lost = true
    process.stdout.write(`\n${c.yellow(`connection closed (${code}${reason ? ` ${reason}` : ''}); the next command reconnects`)}\n`)
    prompt()
  })
  const remember = async () => { sessionId = (await s.rpc.call('session.get_info').catch(() => undefined))?.session_id ?? sessionId }
  const reconnect = async () => {
    s.rpc = await connect()
    lost = false
    watch(s.rpc)
    if (sessionId !== undefined) {
      try {
        const resumed = await s.rpc.call('session.resume', { session_id: sessionId })
        s.persona = resumed.current_persona ?? undefined
        s.print(c.dim('reconnected; session resumed'))
      } catch (err) {
        s.persona = undefined
        s.print(c.yellow(`reconnected with a new session (${describeError(err)})`))
      }
    }
    await remember()
  }
  watch(rpc)
  await remember()

  s.print(`connected to ${options.url}${options.apiKey ? ' with an API key' : ''}; ${c.bold('help')} lists the commands`)
  prompt()
  for (;;) {
    const line = await lines.next()
    // Ctrl-D leaves the cursor after the prompt; end that line before saying goodbye
    if (line === null) { if (terminal) process.stdout.write('\n'); break }
    if (lost && line.trim() !== '' && !/^\/?(quit|exit)$/i.test(line.trim())) {
      try {
        await reconnect()
      } catch (err) {
        s.print(c.red(`${describeError(err)}; "${line.trim()}" was not run`))
        prompt()
        continue
      }
    }
    await runLine(s, line)
    if (s.done) break
    prompt()
  }
  leaving = true
  saveHistory(historyPath, history)
  process.off('SIGINT', interrupt)
  rl.close()
  await s.rpc.close()
  if (terminal) s.print(c.dim('bye'))
}

await main()
