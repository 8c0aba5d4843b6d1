import type { RpcContext } from '../rpc/context.ts'
import type { PersonaService } from './service.ts'

// Several instances: a persona created on one is known to the others once its announcement arrives, some
// milliseconds later. A call naming it in between (a client that created it, then was routed elsewhere)
// would be "Persona not found" there; so before a call, the personas it names that this instance does not
// hold are looked up in the database. Nothing is read when all are known (the usual case).

type Personas = Pick<PersonaService, 'find' | 'load'>

/** the JSON-RPC params that name a persona (PersonaRef in the method schemas) */
const PERSONA_PARAMS = ['persona_id', 'persona1_id', 'persona2_id', 'target_persona'] as const

/** Looks up the refs this instance does not hold; undefined when it holds them all. */
export function loadMissing (personas: Personas, refs: ReadonlyArray<unknown>): Promise<unknown> | undefined {
  const missing = refs.filter((ref): ref is string => typeof ref === 'string' && personas.find(ref) === undefined)
  return missing.length === 0 ? undefined : Promise.all(missing.map(async (ref) => await personas.load(ref)))
}

/** A call's preparer (MethodRegistry.beforeCalls): the personas its params and its session's current persona name. */
export function personaPrefetch (personas: Personas) {
  return (params: Record<string, unknown>, ctx: RpcContext): Promise<unknown> | undefined =>
    loadMissing(personas, [...PERSONA_PARAMS.map((key) => params[key]), ctx.connection.session.personaId])
}
