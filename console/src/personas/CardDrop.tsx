import { useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { describeError } from '../api/errors.ts'
import { ErrorNote } from '../ui/ErrorNote.tsx'

/** base64 of a file's bytes: persona.import_card takes PNG, CHARX and JSON cards that way */
async function base64Of (file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** Drop a character card (PNG, CHARX or JSON) here, or choose it with the file input: it becomes a persona. */
export function CardDrop ({ onImported }: { onImported: () => Promise<void> }) {
  const api = useApi()
  const [over, setOver] = useState(false)
  const [status, setStatus] = useState<string>()
  const [error, setError] = useState<string>()

  const importFile = async (file: File | undefined) => {
    if (!file) return
    setError(undefined)
    setStatus(`Importing ${file.name}…`)
    try {
      const r = await api.rpc.call<{ name: string, lore_memories: number, warnings: string[] }>('persona.import_card', { card: await base64Of(file) })
      setStatus(`Imported ${r.name}${r.lore_memories ? ` with ${r.lore_memories} lore memories` : ''}.${r.warnings.length ? ` Warnings: ${r.warnings.join('; ')}` : ''}`)
      await onImported()
    } catch (err) {
      setStatus(undefined)
      setError(describeError(err))
    }
  }

  return (
    <div
      class={`card drop${over ? ' over' : ''}`}
      onDragOver={(e) => { e.preventDefault(); setOver(true) }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => { e.preventDefault(); setOver(false); void importFile(e.dataTransfer?.files[0]) }}
    >
      <h3>Import a character card</h3>
      <p>Drop a Character Card V2/V3 (PNG, CHARX or JSON) here, or choose one.</p>
      <label for="card-file">Character card file</label>
      <input id="card-file" type="file" accept=".png,.json,.charx,image/png,application/json" onChange={(e) => void importFile(e.currentTarget.files?.[0])} />
      {status && <p role="status">{status}</p>}
      <ErrorNote error={error} />
    </div>
  )
}
