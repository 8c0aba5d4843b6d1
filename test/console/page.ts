import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import type { Browser, Locator, Page } from 'playwright-core'

// What the console tests do with a page: open one, find what a person sees, move by keyboard alone,
// check every control has an accessible name, and write the README's screenshots.

const SHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url))

export interface ConsolePage { page: Page, errors: string[] }

/** A fresh tab (its own sessionStorage) of a desktop size, script errors collected, dialogs accepted. */
export async function openPage (browser: Browser, t: Test): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  t.teardown(() => context.close())
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  page.on('dialog', (dialog) => void dialog.accept())
  return { page, errors }
}

export const heading = (page: Page, name: string | RegExp): Locator => page.getByRole('heading', { level: 2, name })

/** A screenshot of the view for the README (docs/console/NAME.png). */
export async function screenshot (page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: `${SHOTS}${name}.png` })
}

const CONTROL = /^\s*- (button|textbox|searchbox|combobox|spinbutton|checkbox|radio|slider|switch|link|listbox)( \[[^\]]*\])*:?$/

/**
 * The controls the browser's accessibility tree gives no name (Playwright's ARIA snapshot writes a
 * named one as `- button "Send"`, an unnamed one as a bare `- button`).
 */
export async function unnamedControls (page: Page): Promise<string[]> {
  const tree = await page.locator('body').ariaSnapshot()
  return tree.split('\n').filter((line) => CONTROL.test(line)).map((line) => line.trim())
}

/** What Tab reached: its label, aria-label, or text. */
const focusedName = (page: Page) => page.evaluate(() => {
  const el = document.activeElement as (HTMLElement & { labels?: NodeListOf<HTMLLabelElement> }) | null
  if (!el || el === document.body) return ''
  return (el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent ?? '').trim()
})

/** Presses Tab until the focused control's name matches (keyboard only), at most `max` times. */
export async function tabTo (page: Page, name: RegExp, max = 60): Promise<void> {
  const seen: string[] = []
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    const now = await focusedName(page)
    if (name.test(now)) return
    seen.push(now)
  }
  throw new Error(`Tab never reached ${String(name)}; it went through: ${seen.join(' | ')}`)
}
