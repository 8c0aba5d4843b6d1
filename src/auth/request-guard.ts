// Checks every request passes before auth and before any route acts: a Host the server answers to
// (DNS rebinding) and a path in canonical form (one spelling per route). Pure rules; plugins/request-guard.ts wires them.

import { isLoopback } from './access.ts'

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']

export interface HostPolicy {
  /** host names served (lower case); undefined: any Host */
  readonly names: ReadonlySet<string> | undefined
}

/**
 * Bound to loopback, only loopback names and server.allowedHosts are served: a page on a rebinding domain
 * reaches the socket but names its own host. Bound elsewhere, server.allowedHosts applies when set (with the
 * loopback names, which no web page can make a browser send for its own origin); unset, any Host.
 */
export function hostPolicy (bindHost: string, allowedHosts: readonly string[]): HostPolicy {
  if (!isLoopback(bindHost) && allowedHosts.length === 0) return { names: undefined }
  return { names: new Set([...LOOPBACK_NAMES, ...allowedHosts.map((h) => h.toLowerCase())]) }
}

/** The host name of a Host header (`name`, `name:port`, `[v6]:port`), lower case; undefined when malformed. */
export function hostName (header: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(header)
  return match?.[1]?.toLowerCase()
}

export function hostAllowed (header: string | undefined, policy: HostPolicy): boolean {
  if (policy.names === undefined) return true
  const name = header === undefined ? undefined : hostName(header)
  return name !== undefined && policy.names.has(name)
}

// RFC 3986 section 2.3: these never need encoding, so an encoded one is a second spelling of the same path
const ENCODED_UNRESERVED = /%(?:[46][1-9a-f]|[57][0-9a]|3[0-9]|2d|2e|5f|7e)/i

/**
 * Why a request target is not in canonical form, or undefined when it is. The router decodes what the raw
 * text hides, so `/%61dmin`, `//admin`, `/x/../admin` would otherwise be second names for a route.
 * Case and trailing slashes need no rule here: the router is case-sensitive and strict about slashes, so those
 * spellings match no route.
 */
export function nonCanonical (target: string): string | undefined {
  const path = target.split('?', 1)[0] ?? ''
  if (!path.startsWith('/')) return 'the path must start with /'
  if (path.includes('//')) return 'empty path segment (//)'
  if (/%(?![0-9a-f]{2})/i.test(path)) return 'malformed percent-encoding'
  if (ENCODED_UNRESERVED.test(path)) return 'percent-encoded letter, digit or -._~'
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return 'dot segment (. or ..)'
  if (path.includes('\\')) return 'backslash in the path'
  return undefined
}
