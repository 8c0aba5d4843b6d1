// The admin REST API (/admin/v1, documented at /docs/json) with the signed-in key as a bearer token.

export class HttpError extends Error {
  constructor (readonly status: number, message: string) { super(message) }
}

export type Rest = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<T>

export function createRest (key: string | undefined): Rest {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = {}
    if (key) headers.authorization = `Bearer ${key}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`/admin/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await response.text()
    const parsed = text === '' ? {} : JSON.parse(text)
    if (!response.ok) throw new HttpError(response.status, (parsed as { message?: string }).message ?? response.statusText)
    return parsed as T
  }
}

/** GET /admin/v1/...: binary bodies (avatars) as an object URL, or null when there is none */
export async function fetchObjectUrl (key: string | undefined, path: string): Promise<string | null> {
  const response = await fetch(`/admin/v1${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} })
  if (!response.ok) return null
  return URL.createObjectURL(await response.blob())
}
