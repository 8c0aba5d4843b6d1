// A real nginx (Debian's) in front of test instances, with the repo's deploy/nginx.conf: only its upstream
// and its listen line are replaced, so the shipped proxy settings are what a test goes through. Its files
// (pid, logs, temp bodies) live in a temporary prefix, so it needs no root directories. Its access log names
// the instance that served each request ($upstream_addr).
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../../src/store/vector/chroma-process.ts'
import { onProcessExit } from './exit-hook.ts'

const NGINX = '/usr/sbin/nginx'

export interface Nginx {
  /** http://127.0.0.1:PORT */
  url: string
  /** access log lines so far: `METHOD URI STATUS UPSTREAM` each */
  accessLog (): Array<{ method: string, uri: string, status: number, upstream: string }>
  stop (): Promise<void>
}

/** Why nginx cannot run here, or undefined when it can. */
export function nginxUnavailable (): string | undefined {
  return existsSync(NGINX) ? undefined : `no nginx at ${NGINX} (apt-get install nginx; CI installs it)`
}

const accepts = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createConnection({ port, host: '127.0.0.1' }, () => { socket.end(); resolve(true) })
  socket.once('error', () => resolve(false))
})

/** `conf` (deploy/nginx.conf's text) with its upstream servers and listen address replaced, and local paths. */
export function localConfig (conf: string, upstreams: number[], port: number, dir: string): string {
  const servers = upstreams.map((p) => `server 127.0.0.1:${p};`).join('\n    ')
  const replaced = conf.replace(/server app-scaled:8000;/, servers).replace(/listen 80;/, `listen 127.0.0.1:${port};`)
  if (replaced === conf || !replaced.includes(`listen 127.0.0.1:${port};`) || !replaced.includes(servers)) {
    throw new Error('deploy/nginx.conf no longer has `server app-scaled:8000;` and `listen 80;`')
  }
  // Debian's build puts these under /var: here they go to the prefix
  const local = [
    `client_body_temp_path ${dir}/body;`, `proxy_temp_path ${dir}/proxy;`, `fastcgi_temp_path ${dir}/fastcgi;`,
    `uwsgi_temp_path ${dir}/uwsgi;`, `scgi_temp_path ${dir}/scgi;`,
    'log_format upstreams \'$request_method $request_uri $status $upstream_addr\';',
    `access_log ${dir}/access.log upstreams;`,
  ].join('\n  ')
  return replaced.replace(/^http \{$/m, `http {\n  ${local}`)
}

/** Starts nginx in front of the instances on `upstreams`; stop it in a teardown. */
export async function startNginx (confFile: string, upstreams: number[]): Promise<Nginx> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pmcp-nginx-'))
  // run as root, nginx's workers are `nobody`: they must reach the temp directories inside
  chmodSync(dir, 0o755)
  const port = await freePort()
  const conf = path.join(dir, 'nginx.conf')
  writeFileSync(conf, localConfig(readFileSync(confFile, 'utf8'), upstreams, port, dir))
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log'), '-g', `daemon off; pid ${dir}/nginx.pid;`], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const remove = () => { rmSync(dir, { recursive: true, force: true }) }
  // a test process that ends early must not leave nginx running
  const unhook = onProcessExit(() => { child.kill('SIGKILL'); remove() })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + 15_000
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      unhook()
      const errors = existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8') : ''
      remove()
      throw new Error(`nginx did not start: ${output}${errors}`)
    }
    await sleep(50)
  }
  return {
    url: `http://127.0.0.1:${port}`,
    accessLog () {
      const file = path.join(dir, 'access.log')
      if (!existsSync(file)) return []
      return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => {
        const [method = '', uri = '', status = '0', upstream = ''] = line.split(' ')
        return { method, uri, status: Number(status), upstream }
      })
    },
    async stop () {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM: fast shutdown, open WebSockets are cut
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
      unhook()
      remove()
    },
  }
}
