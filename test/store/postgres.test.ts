import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import pg from 'pg'
import { openPostgres, POSTGRES_MIGRATIONS_DIR, redactUrl } from '../../src/store/postgres/database.ts'
import { checkPostgresSchema } from '../../src/store/postgres/schema-check.ts'
import { readMigrations } from '../../src/store/migration-files.ts'
import { postgresUnavailable, startPostgres, type Postgres } from '../helpers/postgres.ts'

// The PostgreSQL store's foundation against a real PostgreSQL 15: migrations the Prisma Migrate way under
// its advisory lock, the one data model, Prisma through the pg adapter.

const SCHEMA = readFileSync(fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url)), 'utf8')
const skip = postgresUnavailable() ?? false

t.test('PostgreSQL store', { skip }, async (t) => {
  const server: Postgres = await startPostgres()
  t.teardown(() => server.stop())

  t.test('migrates a new database to the one data model, and a second open applies nothing', async (t) => {
    const url = await server.createDatabase()
    const first = await openPostgres({ url })
    t.same(first.migrations.applied, readMigrations(POSTGRES_MIGRATIONS_DIR, 'postgresql').map((m) => m.name))
    t.same(await checkPostgresSchema(first.pool, SCHEMA), [], 'tables, columns, types, nullability, keys, indexes and foreign keys match schema.prisma')
    await first.close()
    const second = await openPostgres({ url })
    t.same(second.migrations.applied, [])
    t.equal(second.migrations.skipped.length, first.migrations.applied.length)
    await second.close()
  })

  t.test('ten instances starting at once migrate once', async (t) => {
    const url = await server.createDatabase()
    const opened = await Promise.all(Array.from({ length: 10 }, async () => await openPostgres({ url, poolSize: 2 })))
    t.teardown(async () => { await Promise.all(opened.map(async (db) => await db.close())) })
    const applied = opened.flatMap((db) => db.migrations.applied)
    t.same(applied, readMigrations(POSTGRES_MIGRATIONS_DIR, 'postgresql').map((m) => m.name), 'each migration applied by exactly one of them')
    const { rows } = await opened[0]!.pool.query<{ n: string }>('SELECT count(*) AS n FROM "_prisma_migrations"')
    t.equal(Number(rows[0]?.n), applied.length, 'recorded once each')
  })

  t.test('Prisma reads and writes through the pg adapter: JSON, bytes, cascades', async (t) => {
    const db = await openPostgres({ url: await server.createDatabase() })
    t.teardown(() => db.close())
    const persona = await db.prisma.persona.create({
      data: { name: 'Aria', nameKey: 'aria', personalityTraits: { warmth: 80 }, topicPreferences: { music: 90 }, avatar: Buffer.from([1, 2, 3]) },
    })
    await db.prisma.emotionalState.create({ data: { personaId: persona.id, mood: 0.5, energyLevel: 0.8, stressLevel: 0.1, curiosity: 0.6, socialBattery: 0.9 } })
    const read = await db.prisma.persona.findUniqueOrThrow({ where: { id: persona.id }, include: { emotionalState: true } })
    t.same(read.personalityTraits, { warmth: 80 })
    t.same([...(read.avatar ?? [])], [1, 2, 3])
    t.equal(read.emotionalState?.mood, 0.5)
    await db.prisma.persona.delete({ where: { id: persona.id } })
    t.equal(await db.prisma.emotionalState.count(), 0, 'the emotional state went with its persona')
  })

  t.test('a migration edited after it was applied is refused, naming it', async (t) => {
    const url = await server.createDatabase()
    await (await openPostgres({ url })).close()
    const dir = path.join(t.testdir(), 'migrations')
    cpSync(POSTGRES_MIGRATIONS_DIR, dir, { recursive: true })
    const [first] = readMigrations(dir, 'postgresql')
    writeFileSync(path.join(dir, first!.name, 'migration.sql'), first!.sql + '\n-- edited\n')
    await t.rejects(openPostgres({ url, migrationsDir: dir }), { name: 'MigrationError', message: new RegExp(`${first!.name} was modified`) })
  })

  t.test('a failing migration is rolled back, recorded, and blocks the next start', async (t) => {
    const url = await server.createDatabase()
    const dir = path.join(t.testdir(), 'migrations')
    cpSync(POSTGRES_MIGRATIONS_DIR, dir, { recursive: true })
    const bad = path.join(dir, '29991231000000_broken')
    cpSync(path.join(dir, readMigrations(dir, 'postgresql')[0]!.name), bad, { recursive: true })
    writeFileSync(path.join(bad, 'migration.sql'), 'CREATE TABLE "Half" (id TEXT);\nSELECT no_such_function();\n')
    await t.rejects(openPostgres({ url, migrationsDir: dir }), { message: /29991231000000_broken failed and was rolled back/ })
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    t.teardown(() => client.end())
    const half = await client.query("SELECT to_regclass('\"Half\"') AS t")
    t.equal(half.rows[0].t, null, 'nothing of it is left')
    await t.rejects(openPostgres({ url, migrationsDir: dir }), { message: /29991231000000_broken .* failed; no new migrations will be applied/ })
  })

  t.test('the migrations folder of the other provider is refused', async (t) => {
    t.throws(() => readMigrations(POSTGRES_MIGRATIONS_DIR, 'sqlite'), { message: /is for provider "postgresql", not "sqlite"/ })
  })
})

t.test('URLs in logs lose their password', async (t) => {
  t.equal(redactUrl('postgresql://app:s3cret@db:5432/persona'), 'postgresql://app:***@db:5432/persona')
  t.equal(redactUrl('postgresql://db/persona'), 'postgresql://db/persona')
})

t.test('raw queries read TIMESTAMP(3) columns as UTC, as Prisma writes them', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const db = await openPostgres({ url: await server.createDatabase() })
  t.teardown(() => db.close())
  const at = new Date('2026-12-02T01:02:03.456Z')
  await db.prisma.apiKey.create({ data: { userId: 'alice', keyHash: 'h', keyPrefix: 'p', scope: 'client', createdAt: at } })
  const { rows } = await db.pool.query<{ createdAt: Date }>('SELECT "createdAt" FROM "ApiKey"')
  t.equal(rows[0]?.createdAt.toISOString(), at.toISOString())
  const prismaRead = await db.prisma.apiKey.findFirstOrThrow()
  t.equal(prismaRead.createdAt.toISOString(), at.toISOString())
})
