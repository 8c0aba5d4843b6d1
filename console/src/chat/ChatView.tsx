import { useEffect, useRef, useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { usePersonas } from '../personas/directory.ts'
import { StateMeters } from '../personas/StateMeters.tsx'
import { ErrorNote } from '../ui/ErrorNote.tsx'
import { PersonaPicker } from '../ui/PersonaPicker.tsx'
import { ViewHeading } from '../ui/ViewHeading.tsx'
import { ChatMessage } from './ChatMessage.tsx'
import { useChat } from './use-chat.ts'

/** Talk to a persona: pick one, write, watch the reply stream in; its state moves beside the chat. */
export function ChatView ({ param }: { param: string }) {
  const api = useApi()
  const { personas } = usePersonas()
  const personaId = param || personas[0]?.id || ''
  const persona = personas.find((p) => p.id === personaId)
  const chat = useChat(api, personaId)
  const [draft, setDraft] = useState('')
  const log = useRef<HTMLOListElement>(null)
  useEffect(() => { log.current?.lastElementChild?.scrollIntoView({ block: 'end' }) }, [chat.lines])

  const submit = (e: Event) => {
    e.preventDefault()
    const message = draft.trim()
    if (!message || chat.busy) return
    setDraft('')
    void chat.send(message)
  }

  return (
    <section class="view chat" aria-labelledby="view-title">
      <ViewHeading>Chat{persona ? ` with ${persona.name}` : ''}</ViewHeading>
      <div class="toolbar">
        <PersonaPicker id="chat-persona" label="Persona" value={personaId} onChange={(id) => { location.hash = `#/chat/${id}` }} />
        <button type="button" onClick={() => { if (confirm('Forget this conversation and its summary?')) void chat.clear() }} disabled={!personaId || chat.busy}>Clear history</button>
      </div>
      <div class="chat-layout">
        <div>
          <ol class="transcript" ref={log} aria-label="Conversation" aria-live="polite">
            {chat.lines.map((line) => <ChatMessage key={line.key} line={line} personaId={personaId} personaName={persona?.name ?? 'Persona'} />)}
          </ol>
          <form class="composer" onSubmit={submit}>
            <label for="chat-message">Message</label>
            <input id="chat-message" autocomplete="off" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} disabled={!personaId} />
            <button type="submit" disabled={chat.busy || !draft.trim()}>Send</button>
            <button type="button" onClick={() => void chat.cancel()} disabled={!chat.canCancel}>Cancel reply</button>
          </form>
          <ErrorNote error={chat.error} />
        </div>
        {persona && <aside aria-label={`${persona.name}'s state`}><h3>{persona.name} now</h3><StateMeters persona={persona} /></aside>}
      </div>
    </section>
  )
}
