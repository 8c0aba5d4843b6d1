import type { Test } from 'tap'
import { buildApp, type BuildOptions } from '../src/app.ts'
import { parseConfig } from '../src/config/index.ts'
import { RpcClient } from './helpers/rpc-client.ts'

export type TestApp = Awaited<ReturnType<typeof buildApp>>
type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] }
export type ConfigOverrides = DeepPartial<Parameters<typeof parseConfig>[0] & Record<string, unknown>> & Record<string, unknown>

/**
 * The real app on a fresh SQLite file in the test's own directory, results checked against their
 * schemas, closed when the test ends. `dataDir` reuses a directory (restart tests).
 */
export async function build (t: Test, overrides: Record<string, Record<string, unknown>> = {}, options: BuildOptions = {}): Promise<TestApp> {
  const dataDir = (overrides.server?.dataDir as string | undefined) ?? t.testdir()
  const config = parseConfig({
    ...overrides,
    server: { port: 0, logLevel: 'silent', ...overrides.server, dataDir },
    vector: { store: 'local', ...overrides.vector },
    // tests fire requests faster than any person; the limit tests turn this back on
    rateLimits: { enabled: false, ...overrides.rateLimits },
    // state regenerates only when a test runs the job: a minute boundary mid-test must not move the numbers
    personas: { regenerationCron: '0 0 1 1 *', ...overrides.personas },
  })
  const app = await buildApp(config, { validateResults: true, forceCloseConnections: true, ...options })
  t.teardown(() => app.close())
  return app
}

/** The app listening on a loopback port, with a connected JSON-RPC WebSocket client. */
export async function buildWithClient (t: Test, overrides: Record<string, Record<string, unknown>> = {}) {
  const app = await build(t, overrides)
  const url = await listen(app)
  const client = await RpcClient.connect(url)
  t.teardown(() => client.terminate())
  return { app, url, client }
}

export async function listen (app: TestApp): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return `ws://127.0.0.1:${address.port}/mcp`
}
