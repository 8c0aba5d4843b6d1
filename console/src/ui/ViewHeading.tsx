import type { ComponentChildren } from 'preact'

/**
 * A view's heading (one view shows at a time, so one id serves every view's aria-labelledby); focusable
 * from script, so opening a view moves keyboard focus into it.
 */
export function ViewHeading ({ children }: { children: ComponentChildren }) {
  return <h2 id="view-title" tabIndex={-1}>{children}</h2>
}
