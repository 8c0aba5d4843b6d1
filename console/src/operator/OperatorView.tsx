import { useApi } from '../api/context.ts'
import { LineChart } from '../charts/LineChart.tsx'
import { ErrorNote } from '../ui/ErrorNote.tsx'
import { ViewHeading } from '../ui/ViewHeading.tsx'
import { SessionsTable } from './SessionsTable.tsx'
import { useStatusSeries } from './use-status-series.ts'

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`

/** For admin keys: system status, component health, connections and request rates, sessions. */
export function OperatorView () {
  const api = useApi()
  const { status, samples, error } = useStatusSeries(api)
  const x = samples.map((s) => s.t)
  const lastRate = samples.at(-1)?.rate ?? 0
  return (
    <section class="view operator" aria-labelledby="view-title">
      <ViewHeading>Operator</ViewHeading>
      <ErrorNote error={error} />
      {status && (
        <div class="status-grid">
          <dl class="card">
            <div><dt>Status</dt><dd class={status.system_status}>{status.system_status}</dd></div>
            <div><dt>Version</dt><dd>{status.version}</dd></div>
            <div><dt>Uptime</dt><dd>{Math.round(status.uptime_seconds)} s</dd></div>
            <div><dt>Connections</dt><dd>{status.connections}</dd></div>
            <div><dt>Personas available</dt><dd>{status.available_personas} of {status.total_personas}</dd></div>
            <div><dt>Active conversations</dt><dd>{status.active_conversations}</dd></div>
            <div><dt>Memory (RSS)</dt><dd>{mib(status.memory_rss_bytes)}</dd></div>
          </dl>
          <table class="card components">
            <caption>Components</caption>
            <tbody>
              {Object.entries(status.components).map(([name, c]) => (
                <tr key={name}><th scope="row">{name}</th><td class={c.status}>{c.status}</td><td>{c.detail ?? ''}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="charts">
        <LineChart title="Open connections" x={x} time series={[{ label: 'connections', values: samples.map((s) => s.connections), stroke: '#3a6ea5' }]}
          xLabel="time" yLabel="connections" summary={`${samples.at(-1)?.connections ?? 0} connections now`} />
        <LineChart title="Requests per second" x={x} time series={[{ label: 'requests/s', values: samples.map((s) => s.rate), stroke: '#c0392b' }]}
          xLabel="time" yLabel="requests/s" summary={`${lastRate.toFixed(1)} requests per second now`} />
      </div>
      <SessionsTable tick={samples.length} />
    </section>
  )
}
