import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { Page } from 'playwright-core'
import { chromiumMissing, launchBrowser } from './helpers/browser.ts'
import { build } from './helper.ts'

// Swagger UI in a real headless Chromium: the operations render, "Authorize" takes the admin key,
// and "Try it out" -> "Execute" on GET /admin/v1/personas shows the live 200 response.

const KEY = 'super-secret-1'
const skip = chromiumMissing
// beside tap's fixtures (.tap/ is git-ignored); the test's own testdir is the app's data and goes at its end
const SCREENSHOT = fileURLToPath(new URL('../.tap/swagger-ui-failure.png', import.meta.url))

t.test('Swagger UI: authorise, try it out, execute', { skip }, async (t) => {
  const app = await build(t, { auth: { apiKeys: [{ user: 'ops', key: KEY, scope: 'admin' }] } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  const base = `http://127.0.0.1:${address.port}`

  const browser = await launchBrowser(t)
  const page: Page = await browser.newPage()
  page.setDefaultTimeout(20_000)
  const pageErrors: string[] = []
  page.on('pageerror', (err) => pageErrors.push(err.message))

  try {
    await page.goto(`${base}/docs`)
    // the operation block of GET /admin/v1/personas, found by its path (swagger-ui's ids depend on the tag)
    const operation = page.locator('.opblock.opblock-get', { has: page.locator('.opblock-summary-path[data-path="/admin/v1/personas"]') })
    await operation.waitFor()
    t.equal(await operation.count(), 1, 'GET /admin/v1/personas renders')
    t.ok(await page.locator('.opblock').count() > 30, 'every operation renders')
    t.ok(await page.locator('.opblock-tag', { hasText: 'memory maintenance' }).count() > 0, 'grouped by tag')

    await page.locator('.auth-wrapper .btn.authorize').click()
    const dialog = page.locator('.modal-ux')
    await dialog.locator('input').first().fill(KEY)
    await dialog.locator('.auth-btn-wrapper .btn.authorize').click()
    t.ok(await dialog.locator('.btn-done').isVisible(), 'authorised')
    await dialog.locator('.btn-done').click()

    await operation.locator('.opblock-summary').first().click()
    await operation.locator('.try-out__btn').click()
    await operation.locator('.btn.execute').click()
    const live = operation.locator('.live-responses-table')
    await live.locator('.response-col_status').first().waitFor()
    t.equal((await live.locator('.response .response-col_status').first().innerText()).trim(), '200', 'status 200')
    const body = await live.locator('.response-col_description .microlight, .response-col_description pre').first().innerText()
    t.match(body, /"name": "Aria"/, 'the body shows Aria')
    t.match(await operation.locator('.curl-command, .curl').first().innerText(), /Authorization: Bearer super-secret-1/, 'sent with the key')
    t.same(pageErrors, [], 'no script errors on the page')
  } catch (err) {
    // what the page showed, to see why
    mkdirSync(fileURLToPath(new URL('.', `file://${SCREENSHOT}`)), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
      .then(() => t.comment(`screenshot of the page: ${SCREENSHOT}`), (shotErr: unknown) => t.comment(`no screenshot: ${String(shotErr)}`))
    throw err
  }
})
