// What the console keeps for its tab in sessionStorage: survives a reload, gone when the tab closes.
const KEY = 'persona-console.api-key'
const SESSION = 'persona-console.session-id'

export const storedKey = (): string | undefined => sessionStorage.getItem(KEY) ?? undefined
export const storeKey = (key: string): void => sessionStorage.setItem(KEY, key)
export const forgetKey = (): void => { sessionStorage.removeItem(KEY); sessionStorage.removeItem(SESSION) }

/** the server session to take back after a reload or reconnect (session.resume), with its conversations */
export const storedSession = (): string | undefined => sessionStorage.getItem(SESSION) ?? undefined
export const storeSession = (id: string): void => sessionStorage.setItem(SESSION, id)
