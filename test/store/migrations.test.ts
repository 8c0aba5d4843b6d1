import { createHash } from 'node:crypto'
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import Database from 'better-sqlite3'
import { applyMigrations, MigrationError, readMigrations } from '../../src/store/sqlite/migrations.ts'
import { DEFAULT_MIGRATIONS_DIR, openDatabase, resolveDatabaseFile } from '../../src/store/sqlite/database.ts'
import { checkSchema, parseSchema } from '../../src/store/sqlite/schema-check.ts'

const INIT = '20261127000000_init'
/** every real migration, in order */
const ALL = readMigrations(DEFAULT_MIGRATIONS_DIR, 'sqlite').map((m) => m.name)
const SCHEMA = readFileSync(fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url)), 'utf8')
const initSql = (): string => readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, INIT, 'migration.sql'), 'utf8')

// t.testdir() empties the directory each time it is called: each test calls it once and passes the path on.
interface Teardown { teardown (fn: () => void): void }

/** A database file (foreign keys on, as openDatabase sets them), closed when the test ends. */
function open (t: Teardown, file: string): Database.Database {
  const db = new Database(file)
  db.pragma('foreign_keys = ON')
  t.teardown(() => db.close())
  return db
}

/** A freshly migrated database (the real migrations by default). */
function fresh (t: Teardown, file: string, dir = DEFAULT_MIGRATIONS_DIR): Database.Database {
  const db = open(t, file)
  applyMigrations(db, dir)
  return db
}

/** A copy of the real migrations plus extra migration folders. */
function migrationsWith (root: string, extra: Record<string, string>): string {
  const dir = path.join(root, 'migrations')
  cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true })
  for (const [name, sql] of Object.entries(extra)) {
    mkdirSync(path.join(dir, name))
    writeFileSync(path.join(dir, name, 'migration.sql'), sql)
  }
  return dir
}

const rows = (db: Database.Database): Array<Record<string, unknown>> => db.prepare('SELECT * FROM "_prisma_migrations" ORDER BY started_at').all() as Array<Record<string, unknown>>

t.test('a fresh database migrates and records the migration as Prisma does', async (t) => {
  const db = open(t, path.join(t.testdir(), 'test.db'))
  const logged: string[] = []
  const result = applyMigrations(db, DEFAULT_MIGRATIONS_DIR, { info: (_o, msg) => { logged.push(msg ?? '') } })
  t.same(result, { applied: ALL, skipped: [] })
  t.same(logged, ALL.map(() => 'migration applied'))
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name)
  for (const m of parseSchema(SCHEMA)) t.ok(tables.includes(m.table), `table ${m.table}`)
  const [row, ...more] = rows(db)
  t.same(more.map((r) => r.migration_name), ALL.slice(1))
  const checksum = createHash('sha256').update(readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, INIT, 'migration.sql'))).digest('hex')
  t.match(row, { migration_name: INIT, checksum, applied_steps_count: 1, logs: null, rolled_back_at: null, id: /^[0-9a-f-]{36}$/ })
  t.ok(typeof row?.finished_at === 'string' && typeof row.started_at === 'string')
  t.same(applyMigrations(db, DEFAULT_MIGRATIONS_DIR), { applied: [], skipped: ALL }, 're-running is a no-op')
  t.equal(rows(db).length, ALL.length)
})

t.test('an applied migration whose file changed is refused', async (t) => {
  const root = t.testdir()
  const dir = migrationsWith(root, {})
  const db = fresh(t, path.join(root, 'test.db'), dir)
  appendFileSync(path.join(dir, INIT, 'migration.sql'), '\n-- edited\n')
  const err = t.throws(() => applyMigrations(db, dir), { migration: INIT, message: new RegExp(`${INIT} was modified`) })
  t.ok(err instanceof MigrationError)
})

t.test('a migrations dir for another provider, or none, is refused', async (t) => {
  const dir = migrationsWith(t.testdir(), {})
  writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n')
  const db = open(t, ':memory:')
  t.throws(() => applyMigrations(db, dir), { name: 'MigrationError', message: /postgresql/ })
  t.throws(() => applyMigrations(db, path.join(dir, 'nope')), { name: 'MigrationError', message: /does not exist/ })
})

t.test('a failed migration is rolled back, recorded, and blocks later runs until resolved', async (t) => {
  const bad = '20261128000000_bad'
  const root = t.testdir()
  const dir = migrationsWith(root, { [bad]: 'CREATE TABLE "Scratch" ("a" TEXT);\nINSERT INTO "Nowhere" VALUES (1);\n' })
  const db = open(t, path.join(root, 'test.db'))
  t.throws(() => applyMigrations(db, dir), { name: 'MigrationError', migration: bad, message: /no such table: Nowhere/ })
  t.notOk(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'Scratch'").get(), 'its statements were rolled back')
  t.match(rows(db), [...ALL.map((name) => ({ migration_name: name, applied_steps_count: 1 })), { migration_name: bad, finished_at: null, applied_steps_count: 0, logs: /Nowhere/ }])

  writeFileSync(path.join(dir, bad, 'migration.sql'), 'CREATE TABLE "Scratch" ("a" TEXT);\n')
  t.throws(() => applyMigrations(db, dir), { migration: bad, message: /failed; no new migrations will be applied/ }, 'blocked even once fixed')

  db.prepare('UPDATE "_prisma_migrations" SET rolled_back_at = current_timestamp WHERE migration_name = ?').run(bad)
  t.same(applyMigrations(db, dir), { applied: [bad], skipped: ALL }, 'applies once marked rolled back')
})

t.test('a migration that breaks a foreign key is rolled back', async (t) => {
  const orphan = '20261128000000_orphan'
  const root = t.testdir()
  const dir = migrationsWith(root, {
    [orphan]: 'INSERT INTO "EmotionalState" ("personaId", "mood", "energyLevel", "stressLevel", "curiosity", "socialBattery") VALUES (\'ghost\', 0, 0, 0, 0, 0);\n'
  })
  const db = open(t, path.join(root, 'test.db'))
  t.throws(() => applyMigrations(db, dir), { migration: orphan, message: /foreign key check failed.*EmotionalState -> Persona/ })
  t.equal((db.prepare('SELECT count(*) AS n FROM "EmotionalState"').get() as { n: number }).n, 0)
  t.equal(db.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are back on')
})

t.test('schema.prisma and the migrations agree, and the check catches drift', async (t) => {
  const db = fresh(t, path.join(t.testdir(), 'test.db'))
  t.same(checkSchema(db, SCHEMA), [], 'no differences')
  const altered = SCHEMA
    .replace('nameKey            String   @unique', 'nameKey            String')
    .replace('embeddingModel   String?', 'embeddingModel   String')
    .replace('mood          Float', 'mood          Int')
    .replace('  @@index([indexedAt])\n', '  @@index([indexedAt])\n  @@index([userId])\n')
    .replace('keyPrefix  String', 'keyPrefix  String\n  note String?')
    .replace('model Setting {', 'model Extra {\n  id String @id\n}\n\nmodel Setting {')
    .replace(/(pruneRun PruneRun\? @relation\([^)]*onDelete: )SetNull/, '$1Cascade')
  t.not(altered, SCHEMA)
  t.match(checkSchema(db, altered).sort(), [
    /ApiKey.note: column note is missing/,
    /EmotionalState.mood: column type REAL, expected INTEGER/,
    /Memory.embeddingModel: column is nullable, schema says required/,
    /Memory: foreign key \(pruneRunId\) -> PruneRun\(id\) ON DELETE CASCADE is missing/,
    /Memory: foreign key \(pruneRunId\) -> PruneRun\(id\) ON DELETE SET NULL is not in the schema/,
    /Memory: index Memory_userId_idx \(userId\) is missing/,
    /Persona: index Persona_nameKey_key is not in the schema/,
    /model Extra: table Extra is missing/
  ])
  t.match(checkSchema(db, SCHEMA.replace(/model DecayRun \{[^]*?\n\}\n/, '')), [/table DecayRun has no model/])
})

/** Prisma's `-- RedefineTables` migration for Persona: charisma becomes REAL and a nickname column appears. */
function redefinePersona (): string {
  const create = /CREATE TABLE "Persona" \(([^;]*)\);/.exec(initSql())?.[1] ?? ''
  const columns = [...create.matchAll(/^\s+"(\w+)"/gm)].map((m) => `"${m[1]}"`).join(', ')
  return `-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Persona" (${create.replace('"charisma" INTEGER', '"charisma" REAL').replace('"intelligence"', '"nickname" TEXT,\n    "intelligence"')});
INSERT INTO "new_Persona" (${columns}) SELECT ${columns} FROM "Persona";
DROP TABLE "Persona";
ALTER TABLE "new_Persona" RENAME TO "Persona";
CREATE UNIQUE INDEX "Persona_nameKey_key" ON "Persona"("nameKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`
}

function seed (db: Database.Database): void {
  db.exec(`INSERT INTO "Persona" ("id", "name", "nameKey", "personalityTraits", "topicPreferences", "updatedAt") VALUES ('p1', 'Ada', 'ada', '{}', '{}', 0);
    INSERT INTO "EmotionalState" VALUES ('p1', 1, 2, 3, 4, 5, 0);
    INSERT INTO "Session" ("id", "userId", "currentPersonaId") VALUES ('s1', 'u1', 'p1');
    INSERT INTO "Memory" ("id", "personaId", "content", "importance", "baseImportance", "relatedPersonas", "metadata") VALUES ('m1', 'p1', 'hello', 5, 5, '[]', '{}');`)
}
const count = (db: Database.Database, sql: string): number => (db.prepare(sql).get() as { n: number }).n

t.test('a table-rebuilding migration keeps the child rows', async (t) => {
  const rebuild = '20261128000000_persona_nickname'
  const root = t.testdir()
  const db = fresh(t, path.join(root, 'test.db'))
  seed(db)
  const dir = migrationsWith(root, { [rebuild]: redefinePersona() })
  t.same(applyMigrations(db, dir), { applied: [rebuild], skipped: ALL })
  t.equal(count(db, 'SELECT count(*) AS n FROM "EmotionalState"'), 1)
  t.equal(count(db, 'SELECT count(*) AS n FROM "Memory"'), 1)
  t.equal(count(db, 'SELECT count(*) AS n FROM "Session" WHERE "currentPersonaId" = \'p1\''), 1)
  t.ok((db.pragma('table_info("Persona")') as Array<{ name: string }>).some((c) => c.name === 'nickname'))
  db.prepare('DELETE FROM "Persona" WHERE id = ?').run('p1')
  t.equal(count(db, 'SELECT count(*) AS n FROM "Memory"'), 0, 'the children still reference the rebuilt table')

  // The trap this guards against: the same SQL inside a transaction with foreign keys on loses the children.
  const naive = fresh(t, path.join(root, 'naive.db'))
  seed(naive)
  naive.transaction(() => naive.exec(redefinePersona()))()
  t.equal(count(naive, 'SELECT count(*) AS n FROM "Memory"'), 0)
})

t.test('resolveDatabaseFile takes file: URLs and paths', async (t) => {
  t.equal(resolveDatabaseFile('file:./data/persona.db', '/srv'), '/srv/data/persona.db')
  t.equal(resolveDatabaseFile('file:/abs/p.db?connection_limit=1', '/srv'), '/abs/p.db')
  t.equal(resolveDatabaseFile('file:///abs/p.db', '/srv'), '/abs/p.db')
  t.equal(resolveDatabaseFile('rel/p.db', '/srv'), '/srv/rel/p.db')
  t.throws(() => resolveDatabaseFile('file::memory:'), /must be a file/)
  await t.rejects(openDatabase({}), /needs a url or a file/)
})

t.test('openDatabase: WAL, foreign keys, Prisma with Json and cascades', async (t) => {
  const file = path.join(t.testdir(), 'nested', 'dir', 'persona.db')
  const store = await openDatabase({ url: `file:${file}` })
  t.teardown(() => store.close())
  t.same(store.migrations, { applied: ALL, skipped: [] })
  t.equal(store.sqlite.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(store.sqlite.pragma('foreign_keys', { simple: true }), 1)
  t.match(await store.prisma.$queryRawUnsafe('PRAGMA journal_mode'), [{ journal_mode: 'wal' }])
  t.same(await store.prisma.$queryRawUnsafe('PRAGMA foreign_keys'), [{ foreign_keys: 1n }])

  const persona = await store.prisma.persona.create({
    data: {
      name: 'Ada',
      nameKey: 'ada',
      personalityTraits: { curious: 90, shy: 10 },
      topicPreferences: { science: 100 },
      emotionalState: { create: { mood: 60, energyLevel: 70, stressLevel: 10, curiosity: 90, socialBattery: 80 } }
    }
  })
  const read = await store.prisma.persona.findUnique({ where: { nameKey: 'ada' }, include: { emotionalState: true } })
  t.same(read?.personalityTraits, { curious: 90, shy: 10 })
  t.equal(read?.emotionalState?.mood, 60)
  t.ok(existsSync(`${file}-wal`), 'the write went through the WAL')
  t.equal(count(store.sqlite, 'SELECT count(*) AS n FROM "Persona"'), 1, 'the raw handle sees the same file')

  await store.prisma.persona.delete({ where: { id: persona.id } })
  t.equal(await store.prisma.emotionalState.count(), 0, 'EmotionalState was cascade-deleted')

  await store.close()
  const again = await openDatabase({ file })
  t.same(again.migrations, { applied: [], skipped: ALL })
  await again.close()
})
