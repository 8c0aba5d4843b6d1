import { useLayoutEffect, useRef } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { ChatView } from '../chat/ChatView.tsx'
import { MemoryView } from '../memory/MemoryView.tsx'
import { OperatorView } from '../operator/OperatorView.tsx'
import { DirectoryContext, useDirectory } from '../personas/directory.ts'
import { Gallery } from '../personas/Gallery.tsx'
import { RelationshipsView } from '../relationships/RelationshipsView.tsx'
import { StageView } from '../stage/StageView.tsx'
import { Nav } from './Nav.tsx'
import { ROUTES, useRoute, type Route } from './use-route.ts'

const VIEWS: Record<Route, (props: { param: string }) => preact.JSX.Element> = {
  personas: Gallery, chat: ChatView, stage: StageView, memories: MemoryView, relationships: RelationshipsView, operator: OperatorView,
}

/** Header, navigation and the current view; the operator view is only offered to admin keys. */
export function Shell ({ onSignOut }: { onSignOut: () => void }) {
  const api = useApi()
  const directory = useDirectory(api)
  const { route, param } = useRoute()
  const routes: readonly Route[] = api.admin ? ROUTES : ROUTES.filter((r) => r !== 'operator')
  const View = VIEWS[routes.includes(route) ? route : 'personas']
  const main = useRef<HTMLElement>(null)
  // a new view moves the focus to its heading, so keyboard and screen-reader users land in it; in the commit
  // that shows the view (a layout effect), not a frame later, so no key press lands on the old focus meanwhile
  const first = useRef(true)
  useLayoutEffect(() => {
    if (first.current) { first.current = false; return }
    main.current?.querySelector<HTMLElement>('h2')?.focus()
  }, [route])

  return (
    <DirectoryContext.Provider value={directory}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus() }}>Skip to the view</a>
      <header>
        <h1>Persona console</h1>
        <p class="who">Signed in as <strong>{api.userId}</strong> ({api.admin ? 'admin' : 'client'})</p>
        <button type="button" onClick={onSignOut}>Sign out</button>
      </header>
      <Nav route={route} routes={routes} />
      <main id="main" ref={main} tabIndex={-1}>
        <View param={param} />
      </main>
    </DirectoryContext.Provider>
  )
}
