import { useEffect, useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { fetchObjectUrl } from '../api/rest.ts'

const hue = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7)

/**
 * The persona's card avatar (admin API, for admin keys), else its initials on a colour of its own.
 * Decorative: the name is always written beside it.
 */
export function Avatar ({ id, name }: { id: string, name: string }) {
  const api = useApi()
  const [url, setUrl] = useState<string | null>(null)
  useEffect(() => {
    if (!api.admin) return
    let made: string | null = null
    void fetchObjectUrl(api.key, `/personas/${encodeURIComponent(id)}/avatar`).then((u) => { made = u; setUrl(u) })
    return () => { if (made) URL.revokeObjectURL(made) }
  }, [api, id])
  if (url) return <img class="avatar" src={url} alt="" />
  const initials = name.split(/\s+/).map((w) => w[0] ?? '').join('').slice(0, 2).toUpperCase()
  return <span class="avatar" aria-hidden="true" style={{ background: `hsl(${hue(name)} 55% 45%)` }}>{initials}</span>
}
