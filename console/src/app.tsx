import { useCallback, useEffect, useState } from 'preact/hooks'
import { connect, type Api } from './api/connect.ts'
import { ApiContext } from './api/context.ts'
import { forgetKey, storedKey, storeKey } from './api/tab-store.ts'
import { Shell } from './layout/Shell.tsx'
import { SignIn } from './signin/SignIn.tsx'

type Phase = { name: 'connecting' } | { name: 'signin', message?: string } | { name: 'ready', api: Api }

/** An Origin refused on /mcp is answered before any key is read (403 ORIGIN_NOT_ALLOWED): ask over HTTP. */
const originRefused = () => fetch('/mcp', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  .then(async (r) => r.status === 403 && (await r.json() as { code?: string }).code === 'ORIGIN_NOT_ALLOWED', () => false)

/**
 * Why a sign-in failed, in words: a refused WebSocket says nothing, so tell a server that is down, an
 * origin the server does not serve, and a refused key apart.
 */
async function failureMessage (key: string | undefined): Promise<string | undefined> {
  const up = await fetch('/health').then((r) => r.ok, () => false)
  if (!up) return 'The server cannot be reached.'
  if (await originRefused()) return `The server does not take API calls from ${location.origin}: add it to server.allowedOrigins.`
  return key ? 'The server did not accept this key.' : undefined
}

/** Opens with the key kept for this tab (none: the server may have no keys, as on loopback), else asks for one. */
export function App () {
  const [phase, setPhase] = useState<Phase>({ name: 'connecting' })

  const signIn = useCallback(async (key: string | undefined) => {
    setPhase({ name: 'connecting' })
    try {
      const api = await connect(key)
      if (key) storeKey(key)
      // a dropped connection (server restart, network) is taken up again with the same key and session
      api.rpc.onClose((code) => {
        if (code === 1000) return
        setPhase({ name: 'connecting' })
        setTimeout(() => void signIn(storedKey()), 1000)
      })
      setPhase({ name: 'ready', api })
    } catch (err) {
      if (key) forgetKey()
      setPhase({ name: 'signin', message: await failureMessage(key) ?? (key ? (err as Error).message : undefined) })
    }
  }, [])

  const signOut = useCallback(() => {
    forgetKey()
    if (phase.name === 'ready') phase.api.rpc.close()
    setPhase({ name: 'signin' })
  }, [phase])

  useEffect(() => { void signIn(storedKey()) }, [signIn])

  if (phase.name === 'connecting') return <p class="boot" role="status">Connecting…</p>
  if (phase.name === 'signin') return <SignIn message={phase.message} onSignIn={signIn} />
  return (
    <ApiContext.Provider value={phase.api}>
      <Shell onSignOut={signOut} />
    </ApiContext.Provider>
  )
}
