import { Console } from 'node:console'
import { buildApp } from './app.ts'
import { ConfigError, databaseUrl, loadConfig, type AppConfig } from './config/index.ts'
import { openDatabase } from './store/sqlite/database.ts'
import { serveStdio } from './mcp/stdio.ts'
import pino from 'pino'

// The command-line entry: `persona-mcp [serve|migrate|stdio]`. It only starts, listens and shuts down.

// milliseconds since the process began (Node's performance clock starts with it), once every import is evaluated
const importedAt = performance.now()

async function serve (config: Readonly<AppConfig>): Promise<void> {
  const app = await buildApp(config)
  const builtAt = performance.now()
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal, exiting now')
      process.exit(1)
    }
    stopping = true
    app.log.info({ signal }, 'shutting down')
    app.close().then(() => process.exit(0), (err: unknown) => {
      app.log.error({ err }, 'shutdown failed')
      process.exit(1)
    })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  await app.listen({ host: config.server.host, port: config.server.port })
  const ms = (from: number, to: number) => Math.round(to - from)
  const now = performance.now()
  // where start-up went (bench/cold-start.ts reads it): node and the imports, the plugins, the listen
  app.log.info({ startup_ms: { total: ms(0, now), imports: ms(0, importedAt), build: ms(importedAt, builtAt), listen: ms(builtAt, now) } }, 'started')
}

async function migrate (config: Readonly<AppConfig>): Promise<void> {
  const log = pino({ level: config.server.logLevel })
  const store = await openDatabase({ url: databaseUrl(config), log })
  log.info({ file: store.file, applied: store.migrations.applied, alreadyApplied: store.migrations.skipped.length }, 'migrations applied')
  await store.close()
}

/**
 * MCP over stdin/stdout for clients that start the server themselves (Claude Desktop): the services without
 * the HTTP listener. stdout carries protocol messages only, so logs go to stderr (fd 2).
 */
async function stdio (config: Readonly<AppConfig>): Promise<void> {
  // libraries that print through console.log/info (node-cron does) would corrupt the protocol stream
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr })
  const app = await buildApp(config, { logger: { level: config.server.logLevel, stream: pino.destination(2) } })
  const { closed } = await serveStdio(app.mcp)
  app.log.info('serving MCP on stdio')
  let stopping = false
  const stop = (reason: string) => {
    if (stopping) return
    stopping = true
    app.log.info({ reason }, 'shutting down')
    app.close().then(() => process.exit(0), (err: unknown) => {
      app.log.error({ err }, 'shutdown failed')
      process.exit(1)
    })
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  await closed
  stop('client closed stdin')
}

const commands: Record<string, (config: Readonly<AppConfig>) => Promise<void>> = { serve, migrate, stdio }

async function main (): Promise<void> {
  const name = process.argv[2] ?? 'serve'
  const command = commands[name]
  if (!command) {
    process.stderr.write(`usage: persona-mcp [${Object.keys(commands).join('|')}]\nunknown command: ${name}\n`)
    process.exit(2)
  }
  let config: Readonly<AppConfig>
  try {
    config = loadConfig()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`${err.message}\n`)
    process.exit(1)
  }
  await command(config)
}

main().catch((err: unknown) => {
  // stderr: in stdio mode stdout belongs to the protocol
  pino(pino.destination(2)).fatal({ err }, 'start-up failed')
  process.exit(1)
})
