import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'

export interface Series { label: string, values: Array<number | null>, stroke: string }

interface Props {
  /** the chart's accessible name and caption */
  title: string
  x: number[]
  series: Series[]
  xLabel: string
  yLabel: string
  /** x values are unix seconds */
  time?: boolean
  yRange?: [number, number]
  height?: number
  /** also said in words for screen readers (a canvas says nothing) */
  summary: string
}

/** A uPlot line chart: made when its series change, fed new data in place otherwise. */
export function LineChart ({ title, x, series, xLabel, yLabel, time = false, yRange, height = 220, summary }: Props) {
  const holder = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const shape = series.map((s) => s.label).join('|')
  const data = (): uPlot.AlignedData => [x, ...series.map((s) => s.values)]

  useEffect(() => {
    const el = holder.current
    if (!el) return
    plot.current = new uPlot({
      width: Math.max(280, el.clientWidth || 560),
      height,
      scales: { x: { time }, y: yRange ? { range: yRange } : {} },
      axes: [{ label: xLabel }, { label: yLabel }],
      series: [{ label: xLabel }, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, points: { show: x.length < 40 } }))],
    }, data(), el)
    return () => { plot.current?.destroy(); plot.current = null }
  }, [shape, time, height])

  useEffect(() => { plot.current?.setData(data()) })

  return (
    <figure class="chart" role="group" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div ref={holder} aria-hidden="true" />
      <p class="sr-only">{summary}</p>
    </figure>
  )
}
