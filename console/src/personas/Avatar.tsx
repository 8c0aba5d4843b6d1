import { useEffect, useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { fetchObjectUrl } from '../api/rest.ts'

const hue = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7)

/**
 * The persona's card avatar (GET /admin/v1/personas/{id}/avatar, which any key may read), else its
 * initials on a colour of its own while it loads or when it cannot.
 * Decorative: the name is always written beside it.
 */
export function Avatar ({ id, name }: { id: string, name: string }) {
  const api = useApi()
  const [url, setUrl] = useState<string | null>(null)
  useEffect(() => {
    let made: string | null = null
    let gone = false
    // an answer that comes after unmount is revoked at once, not leaked
    void fetchObjectUrl(api.key, `/personas/${encodeURIComponent(id)}/avatar`).then((u) => {
      if (gone) { if (u) URL.revokeObjectURL(u); return }
      made = u
      setUrl(u)
    })
    return () => { gone = true; if (made) URL.revokeObjectURL(made) }
  }, [api, id])
  if (url) return <img class="avatar" src={url} alt="" />
  const initials = name.split(/\s+/).map((w) => w[0] ?? '').join('').slice(0, 2).toUpperCase()
  return <span class="avatar" aria-hidden="true" style={{ background: `hsl(${hue(name)} 55% 45%)` }}>{initials}</span>
}
