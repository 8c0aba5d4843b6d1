import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { Api } from './connect.ts'

export const ApiContext = createContext<Api | null>(null)

/** The signed-in connection; views are only rendered once there is one. */
export function useApi (): Api {
  const api = useContext(ApiContext)
  if (api === null) throw new Error('useApi outside a signed-in console')
  return api
}
