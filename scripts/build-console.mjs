// Bundles the web console (console/src) with esbuild into console/dist, which /console serves.
// Runs at install (postinstall) and from the browser tests when the bundle is missing; no CDN, no network.
import { build } from 'esbuild'
import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = (path) => fileURLToPath(new URL(path, import.meta.url))
const out = dir('../console/dist/')
const started = Date.now()
// an image build installs dependencies before it copies the sources: it builds the console later
if (!existsSync(dir('../console/src/main.tsx'))) process.exit(0)

// overwritten in place, never emptied first: a test may be serving the folder while another rebuilds it
mkdirSync(out, { recursive: true })
const result = await build({
  entryPoints: [dir('../console/src/main.tsx')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outfile: `${out}app.js`,
  metafile: true,
  logLevel: 'warning',
})
for (const file of ['index.html', 'style.css']) copyFileSync(dir(`../console/${file}`), `${out}${file}`)
copyFileSync(dir('../node_modules/uplot/dist/uPlot.min.css'), `${out}uplot.css`)

const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + (o.entryPoint ? o.bytes : 0), 0)
console.log(`console built in ${Date.now() - started} ms: app.js ${(bytes / 1024).toFixed(1)} KiB -> console/dist/`)
