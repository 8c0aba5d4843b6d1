// Which routes need which scope, and which browser origins may reach the API: pure rules for the auth hook.

export type Access = 'public' | 'client' | 'admin'

const PUBLIC = new Set(['/', '/health', '/ready', '/docs', '/console'])

/**
 * The access a route gets from the URL pattern it was registered with (never from a request's text):
 * health, the API documentation and the web console's files are open, admin routes and metrics need the admin scope, the rest any key.
 */
export function accessForRoute (pattern: string): Access {
  // the web console's files are public like the docs: the page itself signs in before it calls the API
  if (PUBLIC.has(pattern) || pattern.startsWith('/docs/') || pattern.startsWith('/console/')) return 'public'
  if (pattern === '/admin' || pattern.startsWith('/admin/') || pattern === '/metrics') return 'admin'
  return 'client'
}

export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * A request without Origin is not from a browser and passes; a browser's must be one configured in
 * server.allowedOrigins or a loopback origin of this server's own port (`port`: the socket's local port).
 * The Host header plays no part: a DNS-rebinding page sends a Host that matches its own Origin.
 */
export function originAllowed (origin: string | undefined, allowed: readonly string[], port: number | undefined): boolean {
  if (origin === undefined) return true
  if (allowed.includes(origin)) return true
  try {
    const url = new URL(origin)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
    const effectivePort = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
    return LOOPBACK_NAMES.has(url.hostname) && port !== undefined && effectivePort === port && url.origin === origin
  } catch {
    return false
  }
}
