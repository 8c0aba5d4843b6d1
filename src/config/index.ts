export { ConfigSchema, type AppConfig, type ApiKeyConfig } from './schema.ts'
export { loadConfig, parseConfig, databaseUrl, ConfigError, type LoadOptions } from './load.ts'
