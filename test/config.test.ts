import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { Test } from 'tap'
import { ConfigError, databaseUrl, loadConfig, parseConfig } from '../src/config/index.ts'
import type { AppConfig } from '../src/config/index.ts'
import { parseApiKeys } from '../src/config/env.ts'
import { childEnv } from './child-env.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const REPO_CONFIG = path.join(ROOT, 'config.json')

type Env = Record<string, string>

// t.testdir() empties the directory each time it is called: call it once per test.
interface TestDir { testdir (fixture?: Record<string, string>): string }

/** A config file with this content (an object is written as JSON) in the test's own directory. */
function configFile (t: TestDir, content: unknown, name = 'config.json'): string {
  const dir = t.testdir({ [name]: typeof content === 'string' ? content : JSON.stringify(content, null, 2) })
  return path.join(dir, name)
}

/** Runs fn, which must throw a ConfigError, and returns that error. */
function configError (fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw new Error(`expected a ConfigError, got ${String(err)}`)
  }
  throw new Error('expected a ConfigError, nothing was thrown')
}

interface Expect {
  /** every one of these appears in the message */
  names?: string[]
  /** none of these appears in the message (secrets) */
  hides?: string[]
}

/** The error is a ConfigError with a one-line message holding `names` and none of `hides`. */
function assertConfigError (t: Test, fn: () => unknown, { names = [], hides = [] }: Expect): void {
  let err: ConfigError
  try {
    err = configError(fn)
  } catch (e) {
    t.fail((e as Error).message)
    return
  }
  t.equal(err.name, 'ConfigError', 'name is ConfigError')
  t.ok(err.message.length > 0, 'has a message')
  t.notMatch(err.message, /[\r\n]/, `one line: ${err.message}`)
  for (const text of names) t.ok(err.message.includes(text), `message names ${JSON.stringify(text)}: ${err.message}`)
  for (const text of hides) t.notOk(err.message.includes(text), `message does not show ${JSON.stringify(text)}`)
}

/** Every object reachable from value is frozen; returns the paths that are not. */
function unfrozen (value: unknown, at = ''): string[] {
  if (typeof value !== 'object' || value === null) return []
  const own = Object.isFrozen(value) ? [] : [at || '(root)']
  return own.concat(...Object.entries(value).map(([k, v]) => unfrozen(v, `${at}.${k}`)))
}

/** The embedded defaults: the config loaded in a directory with no config.json and an empty environment. */
function loadDefaults (t: Test): Readonly<AppConfig> {
  const dir = t.testdir({})
  const cwd = process.cwd()
  process.chdir(dir)
  try {
    return loadConfig({ env: {} })
  } finally {
    process.chdir(cwd)
  }
}

t.test('defaults', async (t) => {
  t.test('no config file at the default path gives the embedded defaults', async (t) => {
    const config = loadDefaults(t)
    t.equal(config.server.port, 8000)
    t.equal(config.server.host, '127.0.0.1')
    t.equal(config.server.dataDir, './data')
    t.equal(config.server.databaseUrl, undefined, 'no database URL unless asked for')
    t.equal(config.ollama.host, 'http://localhost:11434')
    t.equal(config.ollama.model, 'llama3.1:8b')
    t.equal(config.session.maxContextMessages, 20)
    t.equal(config.session.summaryThreshold, 50)
    t.equal(config.session.timeoutHours, 24)
    t.equal(config.vector.store, 'chroma')
    t.equal(config.vector.chromaUrl, undefined)
    t.equal(config.server.logLevel, 'info')
    t.same(config.auth.apiKeys, [], 'no api keys')
    t.equal(config.rateLimits.enabled, true, 'rate limits on')
    // the interaction-state rules keep the earlier server's numbers (original-api.md section 4)
    t.equal(config.personas.maxSocialEnergy, 200)
    t.equal(config.personas.energyRegenSeconds, 60)
    t.equal(config.personas.fatigueRecoverySeconds, 300)
    t.equal(config.personas.minAvailableTime, 30)
    t.equal(config.personas.minSocialEnergy, 10)
    t.same(unfrozen(config), [], 'deeply frozen')
  })

  t.test('parseConfig of nothing gives the same defaults', async (t) => {
    const defaults = loadDefaults(t)
    t.same(parseConfig({}), defaults)
    t.same(parseConfig(undefined), defaults)
  })

  t.test("the repository's config.json is valid and matches the defaults", async (t) => {
    const defaults = loadDefaults(t)
    const repo = loadConfig({ file: REPO_CONFIG, env: {} })
    t.same(repo, defaults)
  })

  t.test('an empty file and an empty object give the defaults', async (t) => {
    const defaults = loadDefaults(t)
    t.same(loadConfig({ file: configFile(t, {}), env: {} }), defaults)
  })
})

t.test('a file with some keys: those keys, defaults for the rest, deeply frozen', async (t) => {
  const defaults = loadDefaults(t)
  const file = configFile(t, {
    server: { port: 9123, dataDir: '/srv/persona' },
    ollama: { model: 'mistral:7b' },
    auth: { apiKeys: [{ user: 'ops', key: 'k-0123456789', scope: 'admin' }] },
  })
  const config = loadConfig({ file, env: {} })
  t.equal(config.server.port, 9123)
  t.equal(config.server.dataDir, '/srv/persona')
  t.equal(config.ollama.model, 'mistral:7b')
  t.same(config.auth.apiKeys, [{ user: 'ops', key: 'k-0123456789', scope: 'admin' }])
  // the rest of each touched section, and untouched sections, are the defaults
  t.equal(config.server.host, defaults.server.host)
  t.equal(config.server.logLevel, defaults.server.logLevel)
  t.equal(config.ollama.host, defaults.ollama.host)
  t.same(config.session, defaults.session)
  t.same(config.vector, defaults.vector)
  t.same(config.personas, defaults.personas)
  t.same(config.rateLimits, defaults.rateLimits)

  t.same(unfrozen(config), [], 'every nested object and array is frozen')
  t.throws(() => { (config.server as { port: number }).port = 1 }, TypeError, 'a section cannot be changed')
  t.throws(() => { (config.auth.apiKeys as unknown[]).push({}) }, TypeError, 'the key list cannot grow')
  t.throws(() => { (config.auth.apiKeys[0] as { scope: string }).scope = 'client' }, TypeError, 'a key entry cannot change')
  t.equal(config.server.port, 9123)
})

t.test('environment overrides', async (t) => {
  const cases: Array<[string, Env, (c: Readonly<AppConfig>) => unknown, unknown]> = [
    ['PORT', { PORT: '9001' }, (c) => c.server.port, 9001],
    ['PORT with spaces', { PORT: ' 9002 ' }, (c) => c.server.port, 9002],
    ['HOST', { HOST: '0.0.0.0' }, (c) => c.server.host, '0.0.0.0'],
    ['DATA_DIR', { DATA_DIR: '/var/lib/persona' }, (c) => c.server.dataDir, '/var/lib/persona'],
    ['DATABASE_URL', { DATABASE_URL: 'file:/tmp/elsewhere.db' }, (c) => c.server.databaseUrl, 'file:/tmp/elsewhere.db'],
    ['OLLAMA_HOST with scheme', { OLLAMA_HOST: 'https://ollama.example.org:443' }, (c) => c.ollama.host, 'https://ollama.example.org:443'],
    ['OLLAMA_HOST http', { OLLAMA_HOST: 'http://ollama:11434' }, (c) => c.ollama.host, 'http://ollama:11434'],
    ['OLLAMA_HOST host:port', { OLLAMA_HOST: 'gpu-box:11434' }, (c) => c.ollama.host, 'http://gpu-box:11434'],
    ['OLLAMA_HOST ip:port', { OLLAMA_HOST: '10.0.0.5:11434' }, (c) => c.ollama.host, 'http://10.0.0.5:11434'],
    ['OLLAMA_MODEL', { OLLAMA_MODEL: 'qwen2.5:3b' }, (c) => c.ollama.model, 'qwen2.5:3b'],
    ['CHROMA_URL', { CHROMA_URL: 'http://chroma:8000' }, (c) => c.vector.chromaUrl, 'http://chroma:8000'],
    ['VECTOR_STORE local', { VECTOR_STORE: 'local' }, (c) => c.vector.store, 'local'],
    ['VECTOR_STORE chroma', { VECTOR_STORE: 'chroma' }, (c) => c.vector.store, 'chroma'],
    ['LOG_LEVEL', { LOG_LEVEL: 'debug' }, (c) => c.server.logLevel, 'debug'],
    ['LOG_LEVEL silent', { LOG_LEVEL: 'silent' }, (c) => c.server.logLevel, 'silent'],
    ['MAX_CONNECTIONS', { MAX_CONNECTIONS: '25' }, (c) => c.server.maxConnections, 25],
    ['DATABASE_POOL_SIZE', { DATABASE_POOL_SIZE: '24' }, (c) => c.server.databasePoolSize, 24],
    ['RATE_LIMITS off', { RATE_LIMITS: 'off' }, (c) => c.rateLimits.enabled, false],
    ['RATE_LIMITS OFF', { RATE_LIMITS: 'OFF' }, (c) => c.rateLimits.enabled, false],
    ['RATE_LIMITS on', { RATE_LIMITS: 'on' }, (c) => c.rateLimits.enabled, true],
    ['an empty variable is ignored', { PORT: '', HOST: '' }, (c) => [c.server.port, c.server.host], [8000, '127.0.0.1']],
  ]
  for (const [name, env, pick, expected] of cases) {
    t.test(name, async (t) => {
      const file = configFile(t, {})
      t.same(pick(loadConfig({ file, env })), expected)
    })
  }

  t.test('RATE_LIMITS=on turns limits back on when the file turns them off', async (t) => {
    const file = configFile(t, { rateLimits: { enabled: false } })
    t.equal(loadConfig({ file, env: {} }).rateLimits.enabled, false, 'file alone: off')
    t.equal(loadConfig({ file, env: { RATE_LIMITS: 'on' } }).rateLimits.enabled, true, 'env: on')
  })

  t.test('env beats the file, for every variable', async (t) => {
    const file = configFile(t, {
      server: { port: 7000, host: '10.1.1.1', dataDir: './file-data', databaseUrl: 'file:/file.db', logLevel: 'warn', maxConnections: 5 },
      ollama: { host: 'http://file-ollama:1', model: 'file-model' },
      vector: { store: 'local', chromaUrl: 'http://file-chroma:1' },
      auth: { apiKeys: [{ user: 'fileuser', key: 'file-key-123', scope: 'admin' }] },
      rateLimits: { enabled: true },
    })
    const config = loadConfig({
      file,
      env: {
        PORT: '7001',
        HOST: '10.2.2.2',
        DATA_DIR: './env-data',
        DATABASE_URL: 'file:/env.db',
        LOG_LEVEL: 'error',
        MAX_CONNECTIONS: '6',
        OLLAMA_HOST: 'env-ollama:2',
        OLLAMA_MODEL: 'env-model',
        VECTOR_STORE: 'chroma',
        CHROMA_URL: 'http://env-chroma:2',
        API_KEYS: 'envuser:env-key-456:client',
        RATE_LIMITS: 'off',
      },
    })
    t.same(config.server, { ...config.server, port: 7001, host: '10.2.2.2', dataDir: './env-data', databaseUrl: 'file:/env.db', logLevel: 'error', maxConnections: 6 })
    t.equal(config.ollama.host, 'http://env-ollama:2')
    t.equal(config.ollama.model, 'env-model')
    t.same(config.vector, { ...config.vector, store: 'chroma', chromaUrl: 'http://env-chroma:2' })
    t.same(config.auth.apiKeys, [{ user: 'envuser', key: 'env-key-456', scope: 'client' }], 'API_KEYS replaces the file keys')
    t.equal(config.rateLimits.enabled, false)
    t.same(unfrozen(config), [], 'still deeply frozen')
  })

  t.test('env overrides apply when there is no config file', async (t) => {
    const dir = t.testdir({})
    const cwd = process.cwd()
    process.chdir(dir)
    t.teardown(() => process.chdir(cwd))
    const config = loadConfig({ env: { PORT: '8111', VECTOR_STORE: 'local' } })
    t.equal(config.server.port, 8111)
    t.equal(config.vector.store, 'local')
    t.equal(config.ollama.model, 'llama3.1:8b')
  })
})

t.test('PERSONA_CONFIG chooses the file', async (t) => {
  t.test('it is read instead of ./config.json', async (t) => {
    const dir = t.testdir({
      'config.json': JSON.stringify({ server: { port: 8001 } }),
      'other.json': JSON.stringify({ server: { port: 8002 }, ollama: { model: 'other-model' } }),
    })
    const cwd = process.cwd()
    process.chdir(dir)
    t.teardown(() => process.chdir(cwd))
    t.equal(loadConfig({ env: {} }).server.port, 8001, './config.json is the default path')
    const config = loadConfig({ env: { PERSONA_CONFIG: path.join(dir, 'other.json') } })
    t.equal(config.server.port, 8002)
    t.equal(config.ollama.model, 'other-model')
    t.equal(loadConfig({ env: { PERSONA_CONFIG: 'other.json' } }).server.port, 8002, 'a relative path is resolved')
    t.equal(loadConfig({ env: { PERSONA_CONFIG: 'other.json', PORT: '8003' } }).server.port, 8003, 'env still beats its values')
  })

  t.test('a missing explicit file is an error naming the file', async (t) => {
    const dir = t.testdir({})
    const missing = path.join(dir, 'nowhere.json')
    assertConfigError(t, () => loadConfig({ env: { PERSONA_CONFIG: missing } }), { names: [missing] })
    assertConfigError(t, () => loadConfig({ file: missing, env: {} }), { names: [missing] })
  })

  t.test('the file option beats PERSONA_CONFIG', async (t) => {
    const dir = t.testdir({
      'a.json': JSON.stringify({ server: { port: 8004 } }),
      'b.json': JSON.stringify({ server: { port: 8005 } }),
    })
    t.equal(loadConfig({ file: path.join(dir, 'a.json'), env: { PERSONA_CONFIG: path.join(dir, 'b.json') } }).server.port, 8004)
  })
})

t.test('API_KEYS', async (t) => {
  t.test('parses user:key:scope entries', async (t) => {
    t.same(parseApiKeys('ops:s3cret:admin,alice:k-123456:client'), [
      { user: 'ops', key: 's3cret', scope: 'admin' },
      { user: 'alice', key: 'k-123456', scope: 'client' },
    ])
    t.same(parseApiKeys(' ops:k-abcdefgh:admin , ,alice:k-12345678:client, '), [
      { user: 'ops', key: 'k-abcdefgh', scope: 'admin' },
      { user: 'alice', key: 'k-12345678', scope: 'client' },
    ], 'spaces and empty entries are ignored')
    t.same(parseApiKeys(''), [])
  })

  t.test('the DESIGN.md example loads as two entries', async (t) => {
    // DESIGN.md "Runtime contract" documents API_KEYS as e.g. `ops:s3cret:admin,alice:k-123:client`
    const file = configFile(t, {})
    let keys: unknown
    t.doesNotThrow(() => { keys = loadConfig({ file, env: { API_KEYS: 'ops:s3cret:admin,alice:k-123456:client' } }).auth.apiKeys }, 'accepted')
    t.same(keys, [
      { user: 'ops', key: 's3cret', scope: 'admin' },
      { user: 'alice', key: 'k-123456', scope: 'client' },
    ])
  })

  t.test('a key may contain colons', async (t) => {
    const config = loadConfig({ file: configFile(t, {}), env: { API_KEYS: 'bob:abc:def:ghi:jkl:admin,carol:k-12345678:client' } })
    t.same(config.auth.apiKeys, [
      { user: 'bob', key: 'abc:def:ghi:jkl', scope: 'admin' },
      { user: 'carol', key: 'k-12345678', scope: 'client' },
    ])
  })

  t.test('a malformed entry is an error that does not print the secret', async (t) => {
    const file = configFile(t, {})
    // scope forgotten: user:key
    assertConfigError(t, () => loadConfig({ file, env: { API_KEYS: 'ops:k-98765432:admin,alice:Sup3rSecretKey' } }), {
      names: ['API_KEYS'],
      hides: ['Sup3rSecretKey', 'k-98765432'],
    })
    // user forgotten: key:scope
    assertConfigError(t, () => loadConfig({ file, env: { API_KEYS: 'Sup3rSecretKey:client' } }), {
      names: ['API_KEYS'],
      hides: ['Sup3rSecretKey'],
    })
    // just a key
    assertConfigError(t, () => loadConfig({ file, env: { API_KEYS: 'Sup3rSecretKey' } }), {
      names: ['API_KEYS'],
      hides: ['Sup3rSecretKey'],
    })
  })

  t.test('a bad scope or a too-short key from API_KEYS names the variable', async (t) => {
    const file = configFile(t, {})
    assertConfigError(t, () => loadConfig({ file, env: { API_KEYS: 'alice:k-12345678:root' } }), {
      names: ['auth.apiKeys', 'scope', '"root"', 'client', 'admin', 'API_KEYS'],
      hides: ['k-12345678'],
    })
    assertConfigError(t, () => loadConfig({ file, env: { API_KEYS: 'alice:Zq7:client' } }), {
      names: ['auth.apiKeys', 'key', 'API_KEYS'],
      hides: ['Zq7'],
    })
  })
})

t.test('errors: one line naming key, value, expectation and env var', async (t) => {
  t.test('PORT=abc', async (t) => {
    assertConfigError(t, () => loadConfig({ file: configFile(t, {}), env: { PORT: 'abc' } }), {
      names: ['server.port', 'abc', 'integer', 'PORT'],
    })
  })

  t.test('PORT=99999', async (t) => {
    assertConfigError(t, () => loadConfig({ file: configFile(t, {}), env: { PORT: '99999' } }), {
      names: ['server.port', '99999', '65535', 'PORT'],
    })
  })

  t.test('PORT=-1 and PORT=80.5', async (t) => {
    const file = configFile(t, {})
    assertConfigError(t, () => loadConfig({ file, env: { PORT: '-1' } }), { names: ['server.port', '-1', 'PORT'] })
    assertConfigError(t, () => loadConfig({ file, env: { PORT: '80.5' } }), { names: ['server.port', '80.5', 'integer', 'PORT'] })
  })

  t.test('VECTOR_STORE=redis lists the choices', async (t) => {
    assertConfigError(t, () => loadConfig({ file: configFile(t, {}), env: { VECTOR_STORE: 'redis' } }), {
      names: ['vector.store', 'redis', '"chroma"', '"local"', 'VECTOR_STORE'],
    })
  })

  t.test('LOG_LEVEL=loud lists the levels', async (t) => {
    assertConfigError(t, () => loadConfig({ file: configFile(t, {}), env: { LOG_LEVEL: 'loud' } }), {
      names: ['server.logLevel', 'loud', '"info"', '"debug"', 'LOG_LEVEL'],
    })
  })

  t.test('MAX_CONNECTIONS=0 and RATE_LIMITS=maybe', async (t) => {
    const file = configFile(t, {})
    assertConfigError(t, () => loadConfig({ file, env: { MAX_CONNECTIONS: '0' } }), {
      names: ['server.maxConnections', '0', 'MAX_CONNECTIONS'],
    })
    assertConfigError(t, () => loadConfig({ file, env: { DATABASE_POOL_SIZE: '0' } }), {
      names: ['server.databasePoolSize', '0', 'DATABASE_POOL_SIZE'],
    })
    assertConfigError(t, () => loadConfig({ file, env: { RATE_LIMITS: 'maybe' } }), {
      names: ['rateLimits.enabled', 'maybe', 'boolean', 'RATE_LIMITS'],
    })
  })

  t.test('OLLAMA_HOST and CHROMA_URL must be URLs', async (t) => {
    const file = configFile(t, {})
    assertConfigError(t, () => loadConfig({ file, env: { OLLAMA_HOST: 'ftp://ollama:21' } }), {
      names: ['ollama.host', 'ftp://ollama:21', 'OLLAMA_HOST'],
    })
    assertConfigError(t, () => loadConfig({ file, env: { CHROMA_URL: 'chroma' } }), {
      names: ['vector.chromaUrl', 'chroma', 'CHROMA_URL'],
    })
  })

  t.test('an unknown key in a section (typo)', async (t) => {
    assertConfigError(t, () => loadConfig({ file: configFile(t, { server: { prot: 8000 } }), env: {} }), {
      names: ['server.prot', '8000', 'config.json'],
    })
  })

  t.test('an unknown key at the top level', async (t) => {
    assertConfigError(t, () => loadConfig({ file: configFile(t, { olama: { model: 'x' } }), env: {} }), {
      names: ['olama', 'config.json'],
    })
  })

  t.test('a wrong type in the file names the key, value, expectation and file', async (t) => {
    assertConfigError(t, () => loadConfig({ file: configFile(t, { server: { port: '8000' } }, 'persona.json'), env: {} }), {
      names: ['server.port', '"8000"', 'integer', 'persona.json'],
    })
  })

  t.test('a section that is not an object', async (t) => {
    assertConfigError(t, () => loadConfig({ file: configFile(t, { session: 5 }), env: {} }), {
      names: ['session', '5'],
    })
  })

  t.test('invalid JSON names the file', async (t) => {
    const file = configFile(t, '{ "server": { "port": 8000, } }', 'broken.json')
    assertConfigError(t, () => loadConfig({ file, env: {} }), { names: ['broken.json', 'JSON'] })
  })

  t.test('a JSON array as the file', async (t) => {
    const file = configFile(t, '[{ "server": { "port": 8000 } }]', 'array.json')
    assertConfigError(t, () => loadConfig({ file, env: {} }), { names: ['array.json', 'object'] })
  })

  t.test('JSON null and a JSON string as the file', async (t) => {
    const dir = t.testdir({ 'null.json': 'null', 'string.json': '"config"' })
    assertConfigError(t, () => loadConfig({ file: path.join(dir, 'null.json'), env: {} }), { names: ['null.json'] })
    assertConfigError(t, () => loadConfig({ file: path.join(dir, 'string.json'), env: {} }), { names: ['string.json'] })
  })

  t.test('a too-short api key in the file does not print the secret', async (t) => {
    const file = configFile(t, { auth: { apiKeys: [{ user: 'alice', key: 'Zq7!', scope: 'client' }] } })
    assertConfigError(t, () => loadConfig({ file, env: {} }), {
      names: ['auth.apiKeys', 'key', 'config.json'],
      hides: ['Zq7!'],
    })
  })

  t.test('an api key written in the env format in the file does not print the secret', async (t) => {
    const file = configFile(t, { auth: { apiKeys: ['alice:Sup3rSecretKey:client'] } })
    assertConfigError(t, () => loadConfig({ file, env: {} }), {
      names: ['auth.apiKeys', 'config.json'],
      hides: ['Sup3rSecretKey'],
    })
  })

  t.test('errors from parseConfig name the key without a source', async (t) => {
    assertConfigError(t, () => parseConfig({ session: { maxContextMessages: 0 } }), {
      names: ['session.maxContextMessages', '0'],
    })
    t.throws(() => parseConfig({ vector: { store: 'x' } }), ConfigError)
  })
})

t.test('databaseUrl', async (t) => {
  t.test('DATABASE_URL wins', async (t) => {
    const config = loadConfig({ file: configFile(t, { server: { dataDir: '/srv/x' } }), env: { DATABASE_URL: 'file:/elsewhere/p.db' } })
    t.equal(databaseUrl(config), 'file:/elsewhere/p.db')
  })

  t.test('server.databaseUrl from the file', async (t) => {
    const config = loadConfig({ file: configFile(t, { server: { databaseUrl: 'file:/from-file.db' } }), env: {} })
    t.equal(databaseUrl(config), 'file:/from-file.db')
  })

  t.test('a postgresql:// URL is taken; anything that is neither file: nor postgres(ql):// stops start-up naming it', async (t) => {
    for (const url of ['postgresql://app@db:5432/persona', 'postgres://app@db/persona']) {
      t.equal(databaseUrl(loadConfig({ file: configFile(t, {}), env: { DATABASE_URL: url } })), url)
    }
    for (const url of ['postgresql:persona', './data/persona.db', 'mysql://db/persona', 'file:']) {
      assertConfigError(t, () => loadConfig({ file: configFile(t, {}), env: { DATABASE_URL: url } }), { names: ['server.databaseUrl', url, 'DATABASE_URL'] })
    }
  })

  t.test('otherwise file:<dataDir>/persona.db', async (t) => {
    t.equal(databaseUrl(parseConfig({ server: { dataDir: '/var/lib/persona' } })), 'file:/var/lib/persona/persona.db')
    const fromEnv = loadConfig({ file: configFile(t, {}), env: { DATA_DIR: '/tmp/pdata' } })
    t.equal(databaseUrl(fromEnv), 'file:/tmp/pdata/persona.db')
    const url = databaseUrl(parseConfig({}))
    t.match(url, /^file:/)
    t.equal(path.resolve(url.slice('file:'.length)), path.resolve('./data/persona.db'), 'default: ./data/persona.db')
  })
})

t.test('the command line', async (t) => {
  const run = (args: string[], env: Env) => spawnSync(process.execPath, [path.join('bin', 'persona-mcp.js'), ...args], {
    cwd: ROOT,
    env: childEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  })

  t.test('an invalid config exits 1 with the one-line error on stderr', async (t) => {
    const result = run(['serve'], { PORT: 'abc' })
    t.equal(result.error, undefined, 'the process ran')
    t.equal(result.status, 1, 'exit status 1')
    t.match(result.stderr, 'server.port')
    t.match(result.stderr, 'PORT')
    t.match(result.stderr, 'abc')
    t.notMatch(result.stderr, '    at ', 'no stack trace')
    t.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`)
  })

  t.test('an unknown command exits 2 with a usage line', async (t) => {
    const result = run(['bogus'], {})
    t.equal(result.error, undefined, 'the process ran')
    t.equal(result.status, 2, 'exit status 2')
    t.match(result.stderr, /usage: persona-mcp/)
    t.match(result.stderr, 'serve')
    t.match(result.stderr, 'bogus')
    t.notMatch(result.stderr, '    at ', 'no stack trace')
  })
})
