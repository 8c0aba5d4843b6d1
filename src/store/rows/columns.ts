// What the two databases' raw reads have in common: the same columns, with times as each driver returns them
// (better-sqlite3: ISO text; pg: Date). Row types and mappings are written once, over that time type.

/** `T` with its Date fields as the driver returns a time (`D`) */
export type Dated<T, D> = { [K in keyof T]: T[K] extends Date ? D : T[K] extends Date | null ? D | null : T[K] }

/** a driver's time as a Date */
export type ToDate<D> = (time: D) => Date

/** a column list both databases read alike: PostgreSQL needs camelCase names quoted, and SQLite takes quoted names too */
export const columnList = (names: readonly string[]): string => names.map((name) => `"${name}"`).join(', ')

/** better-sqlite3's time: the ISO text the Prisma adapter writes */
export const fromText: ToDate<string> = (text) => new Date(text)
/** pg's time: TIMESTAMP(3) already read as a UTC Date */
export const asDate: ToDate<Date> = (date) => date
