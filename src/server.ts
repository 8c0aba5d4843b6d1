import { buildApp } from './app.ts'
import { ConfigError, databaseUrl, loadConfig, type AppConfig } from './config/index.ts'
import { openDatabase } from './store/database.ts'
import pino from 'pino'

// The command-line entry: `persona-mcp [serve|migrate]`. It only starts, listens and shuts down.

async function serve (config: Readonly<AppConfig>): Promise<void> {
  const app = await buildApp(config)
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
}

async function migrate (config: Readonly<AppConfig>): Promise<void> {
  const log = pino({ level: config.server.logLevel })
  const store = await openDatabase({ url: databaseUrl(config), log })
  log.info({ file: store.file, applied: store.migrations.applied, alreadyApplied: store.migrations.skipped.length }, 'migrations applied')
  await store.close()
}

const commands: Record<string, (config: Readonly<AppConfig>) => Promise<void>> = { serve, migrate }

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
  pino().fatal({ err }, 'start-up failed')
  process.exit(1)
})
