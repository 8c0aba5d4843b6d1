import { parseArgs } from 'node:util'

// Command-line options shared by the REPL and the quick test.

export interface ClientOptions {
  url: string
  apiKey?: string
  help: boolean
  /** quick test: a fallback reply (LLM down) counts as a failure */
  requireLlm: boolean
}

export const DEFAULT_URL = 'ws://127.0.0.1:8000/mcp'

export function readOptions (argv: string[], env: NodeJS.ProcessEnv = process.env): ClientOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', short: 'u' },
      'api-key': { type: 'string', short: 'k' },
      'require-llm': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  return {
    url: values.url ?? env.PERSONA_URL ?? DEFAULT_URL,
    // an empty PERSONA_API_KEY means none, so it can be unset by `PERSONA_API_KEY= npm run client`
    apiKey: values['api-key'] ?? (env.PERSONA_API_KEY || undefined),
    help: values.help ?? false,
    requireLlm: values['require-llm'] ?? false,
  }
}
