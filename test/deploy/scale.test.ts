import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { databaseUrl, loadConfig } from '../../src/config/index.ts'
import { ENV_OVERRIDES } from '../../src/config/env.ts'
import { interpolate } from '../helpers/compose.ts'

// `docker compose --profile scale up`: PostgreSQL, several app replicas on it, nginx in front. No Docker
// engine runs here, so the files are checked against the config the server really loads.

const root = fileURLToPath(new URL('../..', import.meta.url))
const read = (file: string) => readFileSync(path.join(root, file), 'utf8')
const compose = interpolate(parse(read('docker-compose.yml')), { API_KEYS: 'ops:s3cret-key:admin', POSTGRES_PASSWORD: 'pw-123' })
const { postgres, lb } = compose.services
const scaled = compose.services['app-scaled']

t.test('the scale profile: PostgreSQL, replicas, a load balancer, and nothing of it by default', async (t) => {
  for (const name of ['postgres', 'app-scaled', 'lb']) t.same(compose.services[name].profiles, ['scale'], `${name} only with --profile scale`)
  t.ok(scaled.deploy.replicas >= 2, 'several replicas')
  t.notOk(scaled.ports, 'replicas publish no port: the load balancer is the one address')
  t.same(lb.ports, ['8080:80'])
  t.notOk(postgres.ports, 'PostgreSQL stays on the internal network')
  t.same(postgres.healthcheck.test.slice(0, 2), ['CMD', 'pg_isready'])
  t.same(scaled.depends_on.postgres, { condition: 'service_healthy' })
  t.same(lb.depends_on, { 'app-scaled': { condition: 'service_healthy' } })
  t.equal(scaled.image, compose.services.app.image, 'the same image as the single app')
})

t.test('each replica loads a PostgreSQL config sharing Chroma', async (t) => {
  const known = new Set([...ENV_OVERRIDES.map((o) => o.name), 'PERSONA_CONFIG', 'NODE_ENV'])
  t.same(Object.keys(scaled.environment).filter((name) => !known.has(name)), [], 'every variable is one the config reads')
  const config = loadConfig({ env: scaled.environment, file: path.join(root, 'config.json') })
  const url = new URL(databaseUrl(config))
  t.equal(url.protocol, 'postgresql:')
  t.equal(url.hostname, 'postgres', 'the postgres service')
  t.equal(url.password, 'pw-123', 'with the password the postgres service is given')
  t.equal(postgres.environment.POSTGRES_PASSWORD, 'pw-123')
  t.equal(url.pathname, `/${postgres.environment.POSTGRES_DB}`)
  t.equal(url.username, postgres.environment.POSTGRES_USER)
  t.equal(config.vector.store, 'chroma', 'vectors in the shared Chroma server')
  t.equal(config.vector.chromaUrl, 'http://chroma:8000')
})

t.test('nginx passes WebSocket upgrades and SSE through to every replica, with no sticky sessions', async (t) => {
  t.same(lb.volumes, ['./deploy/nginx.conf:/etc/nginx/nginx.conf:ro'])
  const conf = read('deploy/nginx.conf').replace(/#.*$/gm, '')
  t.match(conf, /server app-scaled:8000;/)
  t.match(conf, /proxy_pass http:\/\/persona;/)
  t.match(conf, /proxy_http_version 1\.1;/)
  t.match(conf, /proxy_set_header Upgrade \$http_upgrade;/)
  t.match(conf, /proxy_set_header Connection \$connection_upgrade;/)
  t.match(conf, /proxy_set_header Host \$host;/, 'the Host the client named, for the Host allow-list')
  t.match(conf, /proxy_buffering off;/, 'SSE events are not held back')
  t.notMatch(conf, /\b(ip_hash|hash |sticky)\b/, 'no sticky sessions')
})
