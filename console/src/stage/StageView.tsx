import { useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { LineChart } from '../charts/LineChart.tsx'
import { usePersonas } from '../personas/directory.ts'
import { ErrorNote } from '../ui/ErrorNote.tsx'
import { PersonaPicker } from '../ui/PersonaPicker.tsx'
import { ViewHeading } from '../ui/ViewHeading.tsx'
import { RelationshipChange } from './RelationshipChange.tsx'
import { useStage } from './use-stage.ts'

/** Two personas talk on a topic; turns appear live with the continue score plotted per turn. */
export function StageView () {
  const api = useApi()
  const { personas } = usePersonas()
  const stage = useStage(api)
  const [p1, setP1] = useState(personas[0]?.id ?? '')
  const [p2, setP2] = useState(personas[1]?.id ?? '')
  const [topic, setTopic] = useState('the stars and old songs')
  const [maxTurns, setMaxTurns] = useState(6)
  const name = (id: string) => personas.find((p) => p.id === id)?.name ?? id
  const scores = stage.turns.map((t) => t.continue_score)

  return (
    <section class="view stage" aria-labelledby="view-title">
      <ViewHeading>Stage</ViewHeading>
      <form class="toolbar" onSubmit={(e) => { e.preventDefault(); if (p1 && p2) void stage.start(p1, p2, topic, maxTurns) }}>
        <PersonaPicker id="stage-p1" label="First persona" value={p1} onChange={setP1} exclude={p2} />
        <PersonaPicker id="stage-p2" label="Second persona" value={p2} onChange={setP2} exclude={p1} />
        <span class="field"><label for="stage-topic">Topic</label><input id="stage-topic" value={topic} onInput={(e) => setTopic(e.currentTarget.value)} /></span>
        <span class="field"><label for="stage-turns">Turns at most</label><input id="stage-turns" type="number" min={1} max={40} value={maxTurns} onInput={(e) => setMaxTurns(Number(e.currentTarget.value) || 1)} /></span>
        <button type="submit" disabled={stage.running || !p1 || !p2}>Start conversation</button>
        <button type="button" onClick={stage.end} disabled={!stage.running}>End conversation</button>
      </form>
      <ErrorNote error={stage.error} />
      {stage.running && <p role="status">Talking… turn {stage.turns.length + 1}</p>}
      {stage.outcome && <p role="status">{stage.outcome}</p>}
      <div class="stage-layout">
        <ol class="turns" aria-label="Turns" aria-live="polite">
          {stage.turns.map((t) => (
            <li key={t.turn_number} class="turn">
              <span class="who">{t.speaker_name}</span> <span class="tag">turn {t.turn_number} · continue {t.continue_score.toFixed(0)}{t.response_type === 'fallback' ? ' · fallback reply' : ''}</span>
              <p>{t.content}</p>
            </li>
          ))}
        </ol>
        <div>
          <LineChart title="Continue score per turn" x={stage.turns.map((t) => t.turn_number)} series={[{ label: 'continue score', values: scores, stroke: '#b0469b' }]}
            xLabel="turn" yLabel="score" yRange={[0, 100]} summary={scores.length ? `Scores by turn: ${scores.map((s) => s.toFixed(0)).join(', ')}` : 'No turns yet'} />
          {stage.after && <RelationshipChange names={`${name(p1)} and ${name(p2)}`} before={stage.before} after={stage.after} />}
        </div>
      </div>
    </section>
  )
}
