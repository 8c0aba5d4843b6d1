import t, { type Test } from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { colourEnabled, describeError, palette } from '../../client/format.ts'
import { RpcCallError } from '../../client/rpc.ts'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { root, runClient, startServer } from './server.ts'

// The interactive client in a real pseudo-terminal (tmux), against a real server process whose
// personas stream their replies from an Ollama fixture, as a user at a keyboard would see it.

// each subtest starts a whole server process (5-10 s on a busy machine): allow more than the configured 120 s
t.setTimeout(240_000)

const hasTmux = spawnSync('tmux', ['-V']).status === 0
const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`

/** A tmux server of our own (its own socket), so no user session or other test is touched. */
function terminal (t: Test, command: string, diagnostics: () => string) {
  // sockets have a short path limit (about 107 bytes): keep it out of the deep test directory
  const dir = mkdtempSync(path.join(tmpdir(), 'pmcp-tmux-'))
  const socket = path.join(dir, 'sock')
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' })
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'repl', '-x', '120', '-y', '40', '-c', root, command)
  t.teardown(() => {
    try { tmux('kill-server') } catch {}
    rmSync(dir, { recursive: true, force: true })
  })
  const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'repl')
  return {
    screen,
    type: (text: string) => { tmux('send-keys', '-t', 'repl', '-l', text); tmux('send-keys', '-t', 'repl', 'Enter') },
    key: (name: string) => tmux('send-keys', '-t', 'repl', name),
    /** waits until the screen matches, and returns it */
    async until (pattern: RegExp, ms = 20_000): Promise<string> {
      const deadline = Date.now() + ms
      for (;;) {
        const text = screen()
        if (pattern.test(text)) return text
        if (Date.now() > deadline) throw new Error(`screen never showed ${pattern}:\n${text}\nserver warnings and errors:\n${diagnostics()}`)
        await sleep(25)
      }
    },
  }
}

/** The REPL in a fresh terminal; the pane stays open after it exits and shows its exit code. */
function client (t: Test, server: { url: string, problems: () => string }) {
  const home = mkdtempSync(path.join(tmpdir(), 'pmcp-home-'))
  t.teardown(() => rmSync(home, { recursive: true, force: true }))
  const env = `env -i PATH=${quote(process.env.PATH ?? '')} HOME=${quote(home)} TERM=xterm-256color PERSONA_CLIENT_HISTORY=`
  return terminal(t, `${env} ${quote(process.execPath)} --import tsx client/repl.ts --url ${server.url}; echo "[exited $?]"; sleep 600`, server.problems)
}

const skip = hasTmux ? false : 'tmux is not installed (apt-get install tmux)'

t.test('the interactive client in a terminal', { skip }, async (t) => {
  // slow chunks, so a reply is seen half-written and can be cancelled mid-stream
  const ollama = await startOllamaFixture({ chunkDelayMs: 120 })
  t.teardown(() => ollama.close())
  const server = await startServer(t, { OLLAMA_HOST: ollama.url })
  const term = client(t, server)

  await term.until(/help lists the commands/)
  term.type('list')
  const listed = await term.until(/2 of 2 available/)
  t.match(listed, /Aria +available +energy \d+ +social/)
  t.match(listed, /Kira +available +energy \d+ +academic/)

  term.type('switch aria')
  await term.until(/now talking to Aria/)

  term.type('tell me about the dragons of the north')
  const partial = await term.until(/Aria: You said "tell me about the"/)
  t.notMatch(partial, /short story about it, friend\./, 'the reply shows while it is still streaming')
  await term.until(/short story about it, friend\.\n/)

  term.type('sing me a long ballad')
  await term.until(/Aria: You said "sing me a long"/)
  term.key('C-c')
  const cancelled = await term.until(/\[cancelled\]/)
  t.notMatch(cancelled.slice(cancelled.indexOf('sing me a long ballad')), /friend\./, 'Ctrl-C stopped the stream')

  term.type('one more verse please')
  await term.until(/Aria: You said "one more verse please"/)
  term.type('/cancel')
  await term.until(/\[cancelled\][^]*\[cancelled\]/)

  term.type('memory dragons of the north')
  t.match(await term.until(/importance \d\.\d\d, similarity/), /1\. User said: tell me about the dragons of the north/)

  term.type('switch nobody')
  const error = await term.until(/error -32000/)
  t.match(error, /error -32000 persona_not_found: Persona not found: nobody/)
  t.notMatch(error, /"jsonrpc"|\{"code"/, 'errors read as text, not JSON')

  term.type('quit')
  await term.until(/\[exited 0\]/)
  t.ok(ollama.requests.some((r) => r.path === '/api/chat' && r.body.stream !== false), 'chat streamed from Ollama')
})

t.test('after the server closes an idle connection, the next command reconnects and resumes the session', { skip }, async (t) => {
  const config = path.join(t.testdir(), 'config.json')
  writeFileSync(config, JSON.stringify({ server: { heartbeatSeconds: 1, idleTimeoutSeconds: 1 } }))
  const server = await startServer(t, { OLLAMA_HOST: 'http://127.0.0.1:9', PERSONA_CONFIG: config })
  const term = client(t, server)
  await term.until(/help lists the commands/)
  term.type('switch kira')
  await term.until(/now talking to Kira/)
  await term.until(/connection closed \(1000 idle timeout\); the next command reconnects/)
  term.type('status')
  const screen = await term.until(/Kira: available/)
  t.match(screen, /reconnected; session resumed/)
  t.match(screen, /Kira> status/, 'the prompt still names the persona')
  term.type('quit')
  await term.until(/\[exited 0\]/)
})

t.test('piped input: commands run in order, no colour, Ctrl-D (end of input) exits 0', async (t) => {
  const server = await startServer(t, { OLLAMA_HOST: 'http://127.0.0.1:9' })
  const run = await runClient('repl.ts', ['--url', server.url], 'hello\nswitch kira\nwhat do you study?\nstatus\nprune\ncall nope.nope {}\n')
  t.equal(run.code, 0, 'exits 0', { output: run.stdout + run.stderr, server: server.problems() })
  t.notMatch(run.stdout, /\x1b\[/, 'no colour codes on a pipe')
  t.match(run.stdout, /error -32001 no_active_persona: [^\n]+\npick a persona first/)
  t.match(run.stdout, /now talking to Kira[^]*Kira: \S[^]*\(fallback reply: the LLM is unavailable\)/)
  t.match(run.stdout, /llm fallback replies[^]*Kira: available/)
  t.match(run.stdout, /No pruning needed/)
  t.match(run.stdout, /error -32601 method_not_found: Method not found: nope\.nope/)
})

t.test('a refused or missing server is one clear line and exit 1', async (t) => {
  const run = await runClient('repl.ts', ['--url', 'ws://127.0.0.1:9/mcp'])
  t.equal(run.code, 1)
  t.match(run.stderr, /^error: cannot connect to ws:\/\/127\.0\.0\.1:9\/mcp/)
})

t.test('errors and colours read well', async (t) => {
  const busy = new RpcCallError({ code: -32002, message: 'Aria is not available for interaction', data: { reason: 'persona_unavailable', retry_after: 29.2 } })
  t.equal(describeError(busy), 'error -32002 persona_unavailable: Aria is not available for interaction (retry in 30s)')
  t.equal(describeError(new RpcCallError({ code: -32601, message: 'Method not found' })), 'error -32601: Method not found')
  t.equal(describeError(new Error('connection closed (1006)')), 'error: connection closed (1006)')
  t.equal(colourEnabled({ isTTY: true }, {}), true)
  t.equal(colourEnabled({ isTTY: true }, { NO_COLOR: '1' }), false, 'NO_COLOR turns colour off')
  t.equal(colourEnabled({ isTTY: false }, {}), false, 'no colour on a pipe')
  t.equal(palette(false).red('x'), 'x')
  t.equal(palette(true).red('x'), '\x1b[31mx\x1b[39m')
})
