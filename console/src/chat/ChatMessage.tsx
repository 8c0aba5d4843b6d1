import { useState } from 'preact/hooks'
import { RecalledMemories } from './RecalledMemories.tsx'
import type { ChatLine } from './types.ts'

/** One line of the chat; a persona's reply is marked when it was a fallback, cancelled or failed. */
export function ChatMessage ({ line, personaId, personaName }: { line: ChatLine, personaId: string, personaName: string }) {
  const [showMemories, setShowMemories] = useState(false)
  const who = line.role === 'user' ? 'You' : personaName
  return (
    <li class={`message ${line.role}${line.state ? ` ${line.state}` : ''}`} aria-busy={line.state === 'streaming'}>
      <span class="who">{who}</span>
      <p class="text">{line.content || (line.state === 'streaming' ? '…' : '')}</p>
      {line.responseType === 'fallback' && <span class="badge fallback" title="The language model did not answer: this is the persona's fallback reply">fallback reply</span>}
      {line.state === 'cancelled' && <span class="badge">cancelled</span>}
      {line.state === 'failed' && <span class="badge error">failed</span>}
      {line.role === 'persona' && line.prompt && line.state !== 'streaming' && (
        <button type="button" class="link" aria-expanded={showMemories} onClick={() => setShowMemories(!showMemories)}>
          {showMemories ? 'Hide memories' : 'Show memories'}
        </button>
      )}
      {showMemories && line.prompt && <RecalledMemories personaId={personaId} query={line.prompt} />}
    </li>
  )
}
