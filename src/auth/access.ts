// Which paths need which scope, and which browser origins may reach the API: pure rules for the auth hook.

export type Access = 'public' | 'client' | 'admin'

const PUBLIC = new Set(['/', '/health', '/ready'])

/** Health and the API documentation are open; admin routes and metrics need the admin scope; the rest any key. */
export function accessFor (path: string): Access {
  if (PUBLIC.has(path) || path === '/docs' || path.startsWith('/docs/')) return 'public'
  if (path.startsWith('/admin/') || path === '/metrics') return 'admin'
  return 'client'
}

export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/**
 * A request without Origin is not from a browser and passes; a browser's must be the server's own
 * origin (same host) or one configured in server.allowedOrigins, so a web page elsewhere cannot
 * drive the API with the visitor's network position.
 */
export function originAllowed (origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true
  if (allowed.includes(origin)) return true
  try {
    return host !== undefined && new URL(origin).host === host
  } catch {
    return false
  }
}
