import type { Persona } from './types.ts'

const minutes = (seconds: number) => `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`

/** Energy, available time, fatigue and mood as labelled meters; they move as state events arrive. */
export function StateMeters ({ persona }: { persona: Persona }) {
  const s = persona.interaction_state
  const mood = persona.emotional_state?.mood
  const rows: Array<[string, number, number, number, string]> = [
    ['Social energy', s.social_energy, 0, 200, String(s.social_energy)],
    ['Available time', s.available_time, 0, 3600, minutes(s.available_time)],
    ['Fatigue', s.interaction_fatigue, 0, 100, String(s.interaction_fatigue)],
  ]
  if (mood !== undefined) rows.push(['Mood', mood, -1, 1, mood.toFixed(2)])
  return (
    <dl class="meters">
      {rows.map(([label, value, min, max, text]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd><meter min={min} max={max} value={value} aria-label={`${persona.name}: ${label}`} /> <span class="value" data-meter={label}>{text}</span></dd>
        </div>
      ))}
    </dl>
  )
}
