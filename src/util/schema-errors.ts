import type { TSchema } from '@sinclair/typebox'

/** A validation error in words a user can act on: a union of literals lists its choices. */
export function describeSchemaError (error: { message: string, schema: TSchema }): string {
  const choices = (error.schema.anyOf as TSchema[] | undefined)?.map((s) => s.const)
  if (choices !== undefined && choices.length > 0 && choices.every((c) => c !== undefined)) {
    return `Expected one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`
  }
  return error.message
}
