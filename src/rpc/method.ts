import type { Static, TObject, TSchema } from '@sinclair/typebox'
import type { RpcContext } from './context.ts'

// What a JSON-RPC method is, apart from any registry: declarations, the registry, the OpenRPC document and
// MCP all import this leaf, so none of them has to import another for its types.

/**
 * A JSON-RPC method declared once: the same declaration validates params, feeds MCP tools and rpc.discover.
 * `handler` uses method syntax on purpose: it makes a typed definition assignable to `MethodDefinition`.
 */
export interface MethodDefinition<P extends TObject = TObject, R extends TSchema = TSchema> {
  readonly name: string
  readonly description: string
  readonly params: P
  readonly result: R
  /** true when the method changes nothing (MCP readOnlyHint, safe to retry) */
  readonly readOnly?: boolean
  /** 'admin': only callers with the admin scope (operator functions that touch every user's data) */
  readonly scope?: 'admin'
  /** deletes what cannot simply be made again (MCP destructiveHint; MCP asks the user before it runs) */
  readonly destructive?: boolean
  /** when only some calls delete: those whose arguments (as sent, defaults not filled in) this accepts */
  destructiveWhen? (args: Readonly<Record<string, unknown>>): boolean
  /** a second call with the same params changes nothing more (MCP idempotentHint) */
  readonly idempotent?: boolean
  handler (params: Static<P>, ctx: RpcContext): Static<R> | Promise<Static<R>>
}

/** Identity at runtime; exists so handler params and results are inferred from the schemas. */
export function defineMethod<P extends TObject, R extends TSchema> (def: MethodDefinition<P, R>): MethodDefinition<P, R> {
  return def
}

/** The methods a registry holds, as a system method (rpc.discover) reads them. */
export interface MethodCatalog {
  /** the application's methods, in the order they were added */
  list (): readonly MethodDefinition[]
  /** the `rpc.*` methods (JSON-RPC's system extensions) */
  systemMethods (): readonly MethodDefinition[]
  /** changes whenever a method is added: what a system method built from the list may cache by */
  readonly revision: number
}
