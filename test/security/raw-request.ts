import { request as httpRequest, Agent } from 'node:http'

export interface RawResponse { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/**
 * One HTTP request with its target sent byte for byte as given (fetch and URL would resolve dot segments
 * and slashes first, which is what the server must cope with).
 */
export function rawRequest (port: number, method: string, target: string, headers: Record<string, string> = {}, body?: string, agent?: Agent): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, agent: agent ?? false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
      res.on('error', reject)
    })
    // a WebSocket upgrade that went through: the status is all a test needs
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }) })
    req.on('error', reject)
    req.end(body)
  })
}

/** Runs the jobs with at most `width` at once, results in order. */
export async function inBatches<T> (jobs: Array<() => Promise<T>>, width = 16): Promise<T[]> {
  const results: T[] = new Array(jobs.length)
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const i = next++
      results[i] = await (jobs[i] as () => Promise<T>)()
    }
  }))
  return results
}

/**
 * Every route of the app with its methods, read back from `printRoutes({ commonPrefix: false })` (a tree,
 * four columns per level), so a route added later is covered without editing a list.
 */
export function routesOf (printed: string): Array<{ url: string, methods: string[] }> {
  const routes: Array<{ url: string, methods: string[] }> = []
  const stack: string[] = []
  for (const line of printed.split('\n')) {
    const match = /^([│ ]*)(?:[├└]── )?(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match?.[2]) continue
    const depth = (match[1] ?? '').length / 4 + (line.includes('── ') ? 1 : 0)
    stack.length = depth
    stack[depth] = match[2]
    if (match[3]) routes.push({ url: stack.join(''), methods: match[3].split(', ') })
  }
  return routes
}
