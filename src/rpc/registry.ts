import './formats.ts'
import type { Static, TObject, TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { TypeCheck } from '@sinclair/typebox/compiler'
import { Value } from '@sinclair/typebox/value'
import { ANSWERED } from './answered.ts'
import type { RpcContext } from './context.ts'
import { MAX_PARAMS_DEPTH, nestedDeeperThan } from './depth.ts'
import { domainError, ErrorCode, invalidParams, methodNotFound } from './errors.ts'
import { buildOpenRpcDocument } from './openrpc.ts'
import { describeSchemaError } from '../util/schema-errors.ts'
import type { OpenRpcDocument } from './openrpc.ts'

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

export interface RegistryOptions {
  /** check every handler result against its schema (tests): catches result schemas that lie */
  validateResults?: boolean
  /** the server version reported by rpc.discover */
  version?: string
}

interface Entry {
  def: MethodDefinition
  check: TypeCheck<TObject>
  checkResult?: TypeCheck<TSchema>
  /** only schemas with defaults pay for the copy that Value.Default needs */
  hasDefaults: boolean
}

const MAX_REPORTED_ERRORS = 5
export const DISCOVER = 'rpc.discover'

export class MethodRegistry {
  readonly #entries = new Map<string, Entry>()
  readonly #validateResults: boolean
  readonly #version: string
  #document: OpenRpcDocument | undefined

  constructor (options: RegistryOptions = {}) {
    this.#validateResults = options.validateResults ?? false
    this.#version = options.version ?? '0.0.0'
  }

  add (...defs: MethodDefinition[]): this {
    for (const def of defs) {
      if (def.name.startsWith('rpc.')) throw new Error(`Method names starting with "rpc." are reserved: ${def.name}`)
      if (this.#entries.has(def.name)) throw new Error(`Method already registered: ${def.name}`)
      this.#entries.set(def.name, {
        def,
        check: TypeCompiler.Compile(def.params),
        checkResult: this.#validateResults ? TypeCompiler.Compile(def.result) : undefined,
        hasDefaults: hasDefaults(def.params)
      })
    }
    this.#document = undefined
    return this
  }

  get (name: string): MethodDefinition | undefined {
    return this.#entries.get(name)?.def
  }

  list (): MethodDefinition[] {
    return Array.from(this.#entries.values(), (entry) => entry.def)
  }

  /** The OpenRPC document of every registered method, built once per change of the registry. */
  discover (): OpenRpcDocument {
    this.#document ??= buildOpenRpcDocument(this.list(), this.#version)
    return this.#document
  }

  async call (name: string, rawParams: unknown, ctx: RpcContext): Promise<unknown> {
    return await this.invoke(name, rawParams, ctx)
  }

  /**
   * Validates and runs a method. A synchronous handler's result comes back as is, not wrapped in a
   * promise: the dispatcher then answers in the same tick (a cheap call costs no microtask hops).
   * Validation failures throw synchronously.
   */
  invoke (name: string, rawParams: unknown, ctx: RpcContext): unknown {
    const entry = this.#entries.get(name)
    if (entry === undefined) {
      if (name === DISCOVER) return this.discover()
      throw methodNotFound(name)
    }
    if (entry.def.scope === 'admin' && ctx.connection.user.scope !== 'admin') {
      throw domainError(ErrorCode.Forbidden, `${name} needs an API key with the admin scope`, { method: name })
    }
    let params: unknown
    if (rawParams === undefined) params = {}
    else if (typeof rawParams !== 'object' || rawParams === null || Array.isArray(rawParams)) {
      throw invalidParams('Invalid params: params must be an object of named parameters (by-position arrays are not supported)')
    } else if (nestedDeeperThan(rawParams, MAX_PARAMS_DEPTH)) {
      // every face (WebSocket dispatcher, MCP tools and resources) meets here, before any recursive schema work
      throw invalidParams(`Invalid params: params nested deeper than ${MAX_PARAMS_DEPTH} levels`, { max_depth: MAX_PARAMS_DEPTH })
    } else params = rawParams
    if (entry.hasDefaults) params = Value.Default(entry.def.params, Value.Clone(params))
    if (!entry.check.Check(params)) {
      const errors = firstErrors(entry.check, params)
      const first = errors[0]
      throw invalidParams(
        first === undefined ? 'Invalid params' : `Invalid params: ${first.path} ${first.message}`,
        { errors }
      )
    }
    const result = entry.def.handler(params as Static<TObject>, ctx)
    const { checkResult } = entry
    if (checkResult === undefined) return result
    return result instanceof Promise ? result.then((r) => checked(name, checkResult, r)) : checked(name, checkResult, result)
  }
}

/** A result schema that lies is a bug: a plain Error, which the dispatcher logs (with these details) as -32603. */
function checked (name: string, check: TypeCheck<TSchema>, result: unknown): unknown {
  if (result === ANSWERED || check.Check(result)) return result
  const detail = firstErrors(check, result).map((e) => `${e.path} ${e.message}`).join('; ')
  throw new Error(`Result of ${name} does not match its schema: ${detail}`)
}

function firstErrors (check: TypeCheck<TSchema>, value: unknown): Array<{ path: string, message: string }> {
  const out: Array<{ path: string, message: string }> = []
  for (const error of check.Errors(value)) {
    out.push({ path: error.path === '' ? '/' : error.path, message: describeSchemaError(error) })
    if (out.length >= MAX_REPORTED_ERRORS) break
  }
  return out
}

/** Over-approximates (a property named "default" counts): the cost of a false positive is one clone. */
function hasDefaults (schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false
  if (!Array.isArray(schema) && 'default' in schema) return true
  return Object.values(schema).some(hasDefaults)
}
