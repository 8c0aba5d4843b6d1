import { useEffect, useState } from 'preact/hooks'

export const ROUTES = ['personas', 'chat', 'stage', 'memories', 'relationships', 'operator'] as const
export type Route = typeof ROUTES[number]
export interface Location { route: Route, /** a persona id after the view's name (#/chat/<id>) */ param: string }

const parse = (): Location => {
  const [name = '', param = ''] = location.hash.replace(/^#\/?/, '').split('/')
  return { route: (ROUTES as readonly string[]).includes(name) ? name as Route : 'personas', param: decodeURIComponent(param) }
}

/** The current view, from the URL's hash (#/chat/<id>), so views can be bookmarked and the back button works. */
export function useRoute (): Location {
  const [where, setWhere] = useState<Location>(parse)
  useEffect(() => {
    const update = () => setWhere(parse())
    addEventListener('hashchange', update)
    return () => removeEventListener('hashchange', update)
  }, [])
  return where
}
