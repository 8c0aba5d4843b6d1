import { existsSync } from 'node:fs'
import path from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyReply } from 'fastify'
import fastifyStatic from '@fastify/static'
import { PROJECT_ROOT } from '../src/util/project-root.ts'

// The web console's built assets (scripts/build-console.mjs, run at install) at /console/. The files are
// public like /docs: the page signs in with an API key in the browser and then only speaks the public APIs.
const ROOT = `${path.join(PROJECT_ROOT, 'console', 'dist')}${path.sep}`

// same-origin only: the bundle, its styles, the WebSocket and admin REST; avatars may be data: or blob: URLs
const CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

export default fp(async (app) => {
  if (!existsSync(`${ROOT}index.html`)) {
    app.log.warn({ root: ROOT }, 'the web console is not built: run npm run build:console')
    app.get('/console/', async (_request, reply) => reply.code(503).type('text/plain').send('The web console is not built: run npm run build:console'))
    return
  }
  await app.register(fastifyStatic, {
    root: ROOT,
    prefix: '/console/',
    decorateReply: false,
    setHeaders: (reply: FastifyReply) => {
      reply.header('content-security-policy', CSP)
      reply.header('x-content-type-options', 'nosniff')
      reply.header('referrer-policy', 'no-referrer')
    },
  })
  // the page's asset URLs are relative: they resolve under /console/ only
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'))
}, { name: 'console', dependencies: ['auth'] })
