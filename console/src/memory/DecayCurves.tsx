import { clampDecayed, DECAY_MODES, decayCurve } from '../../../src/memory/rules/decay.ts'
import { LineChart } from '../charts/LineChart.tsx'

export interface DecaySettings { mode: string, rate: number, floor: number, step_days: number, max_decay_days: number, protect_importance: number }

const COLOURS = ['#3a6ea5', '#c0392b', '#27ae60', '#8e44ad', '#d35400']
const BASE = 0.8

/**
 * Every decay mode's curve under the current settings, for a memory of importance 0.8 never recalled:
 * the server's own pure decay rules (src/memory/rules/decay.ts), so the plot is what the server does.
 */
export function DecayCurves ({ settings }: { settings: DecaySettings }) {
  const days = Array.from({ length: Math.min(settings.max_decay_days, 120) + 1 }, (_, d) => d)
  const params = { rate: settings.rate, stepDays: settings.step_days }
  const series = DECAY_MODES.map((mode, i) => ({
    label: mode === settings.mode ? `${mode} (current)` : mode,
    stroke: COLOURS[i % COLOURS.length]!,
    values: days.map((t) => clampDecayed(BASE, decayCurve(mode, BASE, t, params, 0), settings.floor)),
  }))
  const last = days.length - 1
  return (
    <LineChart title={`Decay over days (rate ${settings.rate}/day, floor ${settings.floor}, importance ${BASE} at day 0)`} x={days} series={series}
      xLabel="days" yLabel="importance" yRange={[0, 1]}
      summary={series.map((s) => `${s.label}: ${s.values[last]!.toFixed(2)} after ${last} days`).join('; ')} />
  )
}
