import { FormatRegistry } from '@sinclair/typebox'

// TypeBox knows no string formats until they are registered; these are the ones our schemas use.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const formats: Record<string, (value: string) => boolean> = {
  'date-time': (value) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
  uuid: (value) => UUID.test(value),
  uri: (value) => URL.canParse(value),
}

for (const [name, check] of Object.entries(formats)) {
  if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check)
}
