// The API key lives in sessionStorage: it survives a reload of the tab, and is gone when the tab closes.
const KEY = 'persona-console.api-key'

export const storedKey = (): string | undefined => sessionStorage.getItem(KEY) ?? undefined
export const storeKey = (key: string): void => sessionStorage.setItem(KEY, key)
export const forgetKey = (): void => sessionStorage.removeItem(KEY)
