import './formats.ts'
import type { Static, TObject, TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { TypeCheck } from '@sinclair/typebox/compiler'
import { Value } from '@sinclair/typebox/value'
import { ANSWERED } from './answered.ts'
import type { RpcContext } from './context.ts'
import { MAX_PARAMS_DEPTH, nestedDeeperThan } from './depth.ts'
import { domainError, ErrorCode, invalidParams, methodNotFound } from './errors.ts'
import type { MethodCatalog, MethodDefinition } from './method.ts'
import { describeSchemaError } from '../util/schema-errors.ts'

export interface RegistryOptions {
  /** check every handler result against its schema (tests): catches result schemas that lie */
  validateResults?: boolean
}

interface Entry {
  def: MethodDefinition
  check: TypeCheck<TObject>
  checkResult?: TypeCheck<TSchema>
  /** only schemas with defaults pay for the copy that Value.Default needs */
  hasDefaults: boolean
  /** an `rpc.*` method (rpc.discover): JSON-RPC's own, not the application's */
  system: boolean
}

const MAX_REPORTED_ERRORS = 5
const SYSTEM_PREFIX = 'rpc.'

/** Runs after a call's params are checked, before its handler; a promise (only when there is work) is awaited. */
export type CallPreparer = (params: Record<string, unknown>, ctx: RpcContext) => Promise<unknown> | undefined

export class MethodRegistry implements MethodCatalog {
  readonly #entries = new Map<string, Entry>()
  readonly #preparers: CallPreparer[] = []
  readonly #validateResults: boolean
  #revision = 0

  constructor (options: RegistryOptions = {}) {
    this.#validateResults = options.validateResults ?? false
  }

  add (...defs: MethodDefinition[]): this {
    for (const def of defs) {
      if (def.name.startsWith(SYSTEM_PREFIX)) throw new Error(`Method names starting with "rpc." are reserved: ${def.name}`)
      this.#register(def, false)
    }
    return this
  }

  /** An `rpc.*` method (the JSON-RPC specification reserves the prefix for system extensions such as rpc.discover). */
  addSystem (def: MethodDefinition): this {
    if (!def.name.startsWith(SYSTEM_PREFIX)) throw new Error(`System method names start with "rpc.": ${def.name}`)
    this.#register(def, true)
    return this
  }

  #register (def: MethodDefinition, system: boolean): void {
    if (this.#entries.has(def.name)) throw new Error(`Method already registered: ${def.name}`)
    this.#entries.set(def.name, {
      def,
      check: TypeCompiler.Compile(def.params),
      checkResult: this.#validateResults ? TypeCompiler.Compile(def.result) : undefined,
      hasDefaults: hasDefaults(def.params),
      system,
    })
    this.#revision++
  }

  get revision (): number {
    return this.#revision
  }

  get (name: string): MethodDefinition | undefined {
    return this.#entries.get(name)?.def
  }

  /** The application's methods (what MCP maps to tools); system methods are apart. */
  list (): MethodDefinition[] {
    return this.#defs(false)
  }

  systemMethods (): MethodDefinition[] {
    return this.#defs(true)
  }

  #defs (system: boolean): MethodDefinition[] {
    const out: MethodDefinition[] = []
    for (const entry of this.#entries.values()) if (entry.system === system) out.push(entry.def)
    return out
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
    if (entry === undefined) throw methodNotFound(name)
    if (entry.def.scope === 'admin' && ctx.connection.user.scope !== 'admin') {
      throw domainError(ErrorCode.Forbidden, `${name} needs an API key with the admin scope`, { method: name })
    }
    let params: unknown
    // an empty array names no parameter by position: it is no params (generic OpenRPC clients send it to rpc.discover)
    if (rawParams === undefined || (Array.isArray(rawParams) && rawParams.length === 0)) params = {}
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
    const run = () => {
      const result = entry.def.handler(params as Static<TObject>, ctx)
      const { checkResult } = entry
      if (checkResult === undefined) return result
      return result instanceof Promise ? result.then((r) => checked(name, checkResult, r)) : checked(name, checkResult, result)
    }
    // a call stays synchronous unless a preparer has something to wait for
    if (this.#preparers.length === 0) return run()
    const waits = this.#preparers.map((prepare) => prepare(params as Record<string, unknown>, ctx)).filter((w) => w !== undefined)
    return waits.length === 0 ? run() : Promise.all(waits).then(run)
  }

  /** Work some calls need first (on several instances: personas another instance has just created). */
  beforeCalls (preparer: CallPreparer): this {
    this.#preparers.push(preparer)
    return this
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
