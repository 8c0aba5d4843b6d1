import { existsSync } from 'node:fs'
import type { Test } from 'tap'
import { chromium, type Browser } from 'playwright-core'

// Debian's Chromium, headless, for the tests that drive a real browser (Swagger UI, the web console).

export const CHROMIUM = '/usr/bin/chromium'

/** a tap `skip` value: false when Chromium is installed, else why the browser tests cannot run */
export const chromiumMissing: false | string = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium; CI installs it)`

// no sandbox (root in CI), no GPU, and nothing that reaches for the network by itself
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync']

/**
 * A headless Chromium, closed when the test ends (teardowns run last-registered first: before the app it
 * browses). `extraArgs`: more flags, e.g. `--host-resolver-rules=MAP name 127.0.0.1` for a host name.
 */
export async function launchBrowser (t: Test, extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extraArgs] })
  t.teardown(() => browser.close())
  return browser
}
