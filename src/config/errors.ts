/** Start-up stops with this: one line naming the key, the value and what was expected. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}
