/** DateTime as the Prisma SQLite adapter writes it (ISO text, `+00:00`), for raw SQL on the same tables. */
export const toSqlTime = (ms: number = Date.now()): string => new Date(ms).toISOString().replace('Z', '+00:00')

export const fromSqlTime = (text: string | null): number | null => (text === null ? null : Date.parse(text))
