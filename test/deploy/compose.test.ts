import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { loadConfig } from '../../src/config/index.ts'
import { ENV_OVERRIDES } from '../../src/config/env.ts'
import { interpolate } from '../helpers/compose.ts'

// No Docker engine runs where the tests do, so the deployment files are checked by reading them:
// docker-compose.yml against the config the server really loads, the Dockerfile against its contract.

const root = fileURLToPath(new URL('../..', import.meta.url))
const read = (file: string) => readFileSync(path.join(root, file), 'utf8')

const raw = parse(read('docker-compose.yml'))
const compose = interpolate(raw, { API_KEYS: 'ops:s3cret-key:admin' })
const { app, ollama, chroma } = compose.services
const pull = compose.services['ollama-pull']

t.test('services, ports and volumes', async (t) => {
  // the default profile: services without a profile (test/deploy/scale.test.ts checks profile "scale")
  t.same(Object.keys(compose.services).filter((name) => compose.services[name].profiles === undefined).sort(), ['app', 'chroma', 'ollama', 'ollama-pull'])
  t.same(app.build, '.')
  t.same(app.ports, ['8000:8000'], 'the server port, and only it, is published')
  t.notOk(ollama.ports ?? chroma.ports, 'Ollama and Chroma stay on the internal network')
  t.same(app.volumes, ['app-data:/data'])
  t.same(ollama.volumes, ['ollama-models:/root/.ollama'])
  t.same(chroma.volumes, ['chroma-data:/data'], 'Chroma 1.x keeps its data under /data')
  t.same(Object.keys(compose.volumes).sort(), ['app-data', 'chroma-data', 'ollama-models', 'postgres-data'])
  t.match(chroma.image, /^chromadb\/chroma:1\.\d+\.\d+$/, 'Chroma pinned to a 1.x release')
  t.match(ollama.image, /^ollama\/ollama:\d+\.\d+\.\d+$/)
  t.equal(pull.image, ollama.image, 'the pull job uses the same Ollama CLI')
})

t.test('healthchecks and start order', async (t) => {
  t.same(ollama.healthcheck.test, ['CMD', 'ollama', 'list'])
  const probe = chroma.healthcheck.test
  t.same(probe.slice(0, 3), ['CMD', 'bash', '-c'], 'bash, which the Chroma image has (no curl, no python)')
  t.match(probe[3], /\/dev\/tcp\/127\.0\.0\.1\/8000/)
  t.match(probe[3], /GET \/api\/v2\/heartbeat/)
  for (const service of [ollama, chroma]) t.ok(service.healthcheck.interval && service.healthcheck.retries, 'interval and retries set')
  t.same(app.depends_on, {
    ollama: { condition: 'service_healthy' },
    chroma: { condition: 'service_healthy' },
    'ollama-pull': { condition: 'service_completed_successfully' },
  })
  t.same(pull.depends_on, { ollama: { condition: 'service_healthy' } })
  t.equal(pull.environment.OLLAMA_HOST, 'http://ollama:11434')
  t.equal(pull.restart, 'no', 'a one-shot job')
})

t.test('the app environment is the config the server reads', async (t) => {
  const known = new Set([...ENV_OVERRIDES.map((o) => o.name), 'PERSONA_CONFIG', 'NODE_ENV'])
  const unknown = Object.keys(raw.services.app.environment).filter((name) => !known.has(name))
  t.same(unknown, [], 'every variable is one the config reads')
  // the image carries the repository's config.json; the environment overrides it
  const config = loadConfig({ env: app.environment, file: path.join(root, 'config.json') })
  t.equal(config.vector.store, 'chroma')
  t.equal(config.vector.chromaUrl, 'http://chroma:8000')
  t.ok(compose.services[new URL(config.vector.chromaUrl as string).hostname], 'CHROMA_URL names the chroma service')
  t.equal(config.ollama.host, 'http://ollama:11434')
  t.equal(config.server.host, '0.0.0.0')
  t.equal(config.server.port, 8000)
  t.equal(config.server.dataDir, '/data', 'DATA_DIR is the mounted volume')
  t.same(config.auth.apiKeys, [{ user: 'ops', key: 's3cret-key', scope: 'admin' }])
  const pulled = [...pull.command.join(' ').matchAll(/ollama pull (\S+)/g)].map((m) => m[1])
  t.same(pulled, [config.ollama.model, config.ollama.embedModel], 'the pull job fetches the chat and embedding models the server uses')
})

t.test('the stack refuses to start without API keys', async (t) => {
  t.throws(() => interpolate(raw, {}), /required variable API_KEYS is missing a value: set API_KEYS/)
  t.throws(() => interpolate(raw, { API_KEYS: '' }), /API_KEYS/, 'an empty value counts as missing')
  const custom = interpolate(raw, { API_KEYS: 'a:bcdef:client', OLLAMA_MODEL: 'qwen2.5:7b' }).services
  t.equal(custom.app.environment.OLLAMA_MODEL, 'qwen2.5:7b')
  t.match(custom['ollama-pull'].command[0], /ollama pull qwen2\.5:7b /, 'a chosen model is the one pulled')
})

t.test('Dockerfile: multi-stage, production deps, non-root, health', async (t) => {
  // continuation lines joined, comments dropped: one instruction per entry
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  const froms = lines.filter((l) => /^FROM /i.test(l))
  t.ok(froms.length >= 2, 'more than one stage')
  t.match(froms[0], /^FROM node:20-bookworm(-slim)? AS build$/)
  t.equal(froms.at(-1), 'FROM node:20-bookworm-slim AS runtime')
  const runtime = lines.slice(lines.lastIndexOf(froms.at(-1) as string))
  const build = lines.slice(0, lines.lastIndexOf(froms.at(-1) as string)).join('\n')
  t.match(build, /apt-get install [^\n]*python3[^\n]*make[^\n]*g\+\+/, 'build tools for better-sqlite3')
  t.match(build, /RUN npm ci\b/)
  t.match(build, /npm prune --omit=dev/)
  t.match(build, /prisma-generate/)
  t.ok(runtime.some((l) => /^COPY --from=build \/app\/node_modules /.test(l)), 'the runtime takes the pruned node_modules')
  const user = runtime.filter((l) => /^USER /.test(l)).at(-1)
  t.ok(user && !/^USER (root|0)(:|$)/.test(user), `runs as a non-root user (${user})`)
  t.ok(runtime.includes('EXPOSE 8000'))
  t.match(runtime.find((l) => l.startsWith('HEALTHCHECK')), /HEALTHCHECK .*CMD \["node", "-e", ".*\/health/)
  t.match(runtime.join('\n'), /ENV [^\n]*HOST=0\.0\.0\.0[^\n]*DATA_DIR=\/data/)
  t.ok(runtime.includes('VOLUME ["/data"]'))
  t.equal(runtime.at(-1), 'CMD ["node", "bin/persona-mcp.js", "serve"]')
  // compiled before the prune (TypeScript is a dev dependency); the image runs dist/ and holds no sources
  t.match(build, /node bin\/build\.js[^\n]*npm prune --omit=dev/, 'dist/ is built before the dev dependencies go')
  t.ok(runtime.includes('COPY --from=build /app/dist ./dist'), 'the image ships dist/')
  t.notOk(runtime.some((l) => /^COPY --from=build \/app\/(src|plugins) /.test(l)), 'and not the TypeScript sources')
  const pkg = JSON.parse(read('package.json'))
  t.ok(pkg.devDependencies.typescript && !pkg.dependencies.typescript, 'no compiler in the image')
  t.ok(pkg.dependencies.tsx, 'tsx survives the prune: the terminal client runs through it')
})

t.test('.dockerignore keeps host builds out but not what the image needs', async (t) => {
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  for (const entry of ['node_modules', 'src/generated', 'dist', '.git', 'data']) t.ok(ignored.includes(entry), `${entry} ignored`)
  for (const needed of ['bin', 'src', 'plugins', 'prisma', 'client', 'scripts', 'package.json', 'package-lock.json', 'config.json', 'tsconfig.json', 'tsconfig.build.json', 'prisma.config.ts']) {
    t.notOk(ignored.includes(needed), `${needed} reaches the build`)
  }
})
