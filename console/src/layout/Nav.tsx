import type { Route } from './use-route.ts'

const LABELS: Record<Route, string> = {
  personas: 'Personas', chat: 'Chat', stage: 'Stage', memories: 'Memories', relationships: 'Relationships', operator: 'Operator',
}

/** The views as plain links: Tab reaches them, Enter opens them. */
export function Nav ({ route, routes }: { route: Route, routes: readonly Route[] }) {
  return (
    <nav aria-label="Views">
      <ul>
        {routes.map((r) => (
          <li key={r}><a href={`#/${r}`} aria-current={r === route ? 'page' : undefined}>{LABELS[r]}</a></li>
        ))}
      </ul>
    </nav>
  )
}
