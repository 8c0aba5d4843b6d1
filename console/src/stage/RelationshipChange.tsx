import type { Standing } from './types.ts'

const FIELDS = ['affinity', 'trust', 'respect', 'intimacy'] as const
const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(3)}`

/** How the two personas stand with each other, before and after the conversation. */
export function RelationshipChange ({ names, before, after }: { names: string, before: Standing | null, after: Standing }) {
  return (
    <table class="delta">
      <caption>{names}: relationship ({after.relationship_type}, {after.interaction_count} interactions)</caption>
      <thead><tr><th scope="col">measure</th><th scope="col">before</th><th scope="col">after</th><th scope="col">change</th></tr></thead>
      <tbody>
        {FIELDS.map((f) => {
          const was = before?.[f] ?? 0
          return (
            <tr key={f}>
              <th scope="row">{f}</th>
              <td>{before ? was.toFixed(3) : 'none yet'}</td>
              <td>{after[f].toFixed(3)}</td>
              {before
                ? <td class={after[f] - was >= 0 ? 'up' : 'down'}>{signed(after[f] - was)}</td>
                : <td>new</td>}
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
