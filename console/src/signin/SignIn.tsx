import { useState } from 'preact/hooks'

interface Props {
  message?: string
  onSignIn: (key: string) => void
}

/** The API key form; the key is kept in this tab's sessionStorage only. */
export function SignIn ({ message, onSignIn }: Props) {
  const [key, setKey] = useState('')
  return (
    <main class="signin">
      <h1>Persona console</h1>
      <form onSubmit={(e) => { e.preventDefault(); if (key.trim()) onSignIn(key.trim()) }}>
        <p>This server needs an API key (<code>API_KEYS</code>, or one made under <code>/admin/v1/api-keys</code>).</p>
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autocomplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <button type="submit">Sign in</button>
        {message && <p class="error" role="alert">{message}</p>}
        <p class="hint">The key stays in this browser tab (session storage) and is gone when the tab closes.</p>
      </form>
    </main>
  )
}
