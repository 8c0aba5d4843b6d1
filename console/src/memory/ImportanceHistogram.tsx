const BINS = 10

/** How the shown memories spread over importance, in tenths; a table under the bars says the same in words. */
export function ImportanceHistogram ({ importances }: { importances: number[] }) {
  const counts = new Array<number>(BINS).fill(0)
  for (const v of importances) counts[Math.min(BINS - 1, Math.max(0, Math.floor(v * BINS)))]++
  const most = Math.max(1, ...counts)
  return (
    <figure class="chart histogram" role="group" aria-label="Importance histogram">
      <figcaption>Importance of the {importances.length} memories shown</figcaption>
      <svg viewBox={`0 0 ${BINS * 30} 120`} aria-hidden="true">
        {counts.map((n, i) => {
          const h = (n / most) * 84
          return (
            <g key={i}>
              <rect x={i * 30 + 3} y={102 - h} width={24} height={h} class="bar" />
              <text x={i * 30 + 15} y={116} text-anchor="middle">{(i / BINS).toFixed(1)}</text>
              {n > 0 && <text x={i * 30 + 15} y={98 - h} text-anchor="middle">{n}</text>}
            </g>
          )
        })}
      </svg>
      <p class="sr-only">{counts.map((n, i) => `${(i / BINS).toFixed(1)} to ${((i + 1) / BINS).toFixed(1)}: ${n}`).join('; ')}</p>
    </figure>
  )
}
