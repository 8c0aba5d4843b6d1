import { defineConfig } from 'prisma/config'

// Used by the Prisma CLI only (generate). The server opens the database through the
// better-sqlite3 driver adapter with the URL from config.json, and applies migrations itself.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: 'file:./data/persona.db' },
})
