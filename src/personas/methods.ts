import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { defineMethod } from '../rpc/method.ts'
import type { RpcContext } from '../rpc/context.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { SessionState, UserIdentity } from '../rpc/caller.ts'
import {
  OptionalPersonaParam, PersonaCreateBody, PersonaCreated, PersonaGetResult, PersonaIdParam, PersonaList, PersonaPatchBody, PersonaRemoved,
  PersonaStatus, PersonaSwitched, PersonaUpdated,
} from './schemas.ts'
import { requireChangeable } from './ownership.ts'
import { conditionView } from './condition-view.ts'
import type { PersonaService } from './service.ts'
import type { Persona } from './types.ts'
import { personaPatch, personaSummary, personaView } from './views.ts'

/** what persona methods change of a session (the session service; personas do not import sessions) */
export interface SessionPersonas {
  setPersona (session: SessionState, personaId: string | null): Promise<void>
}

export interface PersonaMethodDeps<M extends TSchema = TSchema> {
  personas: PersonaService
  sessions: SessionPersonas
  /** memory figures for persona.status, and their wire shape; the memory side supplies both */
  memoryStats: {
    schema: M
    of (personaId: string, user: UserIdentity): Promise<Static<M>>
  }
}

/** The connection's current persona; a deleted one is cleared from the session. */
export function currentPersona ({ personas, sessions }: Pick<PersonaMethodDeps, 'personas' | 'sessions'>, ctx: RpcContext): Persona {
  const { session } = ctx.connection
  const persona = session.personaId === null ? undefined : personas.find(session.personaId)
  if (!persona) {
    if (session.personaId !== null) void sessions.setPersona(session, null)
    throw domainError(ErrorCode.NoActivePersona, 'No persona selected. Use persona.switch first')
  }
  return persona
}

/** The persona a method names, or the connection's current one when it names none (the earlier server's `opt→cur`). */
export function personaOrCurrent (deps: Pick<PersonaMethodDeps, 'personas' | 'sessions'>, ctx: RpcContext, ref?: string): Persona {
  return ref === undefined ? currentPersona(deps, ctx) : deps.personas.get(ref)
}

/** `memoryStats` is checked against its schema here, at the caller; inside, its figures pass through as they are */
export function createPersonaMethods<M extends TSchema> (deps: PersonaMethodDeps<M>) {
  const { personas, sessions } = deps
  const memoryStats: PersonaMethodDeps['memoryStats'] = deps.memoryStats
  const target = (ctx: RpcContext, ref?: string) => personaOrCurrent(deps, ctx, ref)

  return [
    defineMethod({
      name: 'persona.list',
      description: 'List all personas with their availability.',
      readOnly: true,
      params: Type.Object({}),
      result: PersonaList,
      handler: () => {
        const list = personas.list().map((p) => personaSummary(p, personas))
        return { personas: list, total_count: list.length, available_count: list.filter((p) => p.available).length }
      },
    }),
    defineMethod({
      name: 'persona.get',
      description: 'Get one persona (by id or name) with its full profile and interaction state.',
      readOnly: true,
      params: PersonaIdParam,
      result: PersonaGetResult,
      handler: ({ persona_id }) => {
        const view = personaView(personas.get(persona_id), personas)
        return { ...view, persona: view }
      },
    }),
    defineMethod({
      name: 'persona.switch',
      idempotent: true,
      description: 'Make a persona (id or case-insensitive name) the current persona of this session. ' +
        'Refused while it is unavailable only where personas.refuseWhenExhausted is on.',
      params: PersonaIdParam,
      result: PersonaSwitched,
      handler: async ({ persona_id }, ctx) => {
        const persona = personas.admitUser(persona_id)
        await sessions.setPersona(ctx.connection.session, persona.id)
        return {
          persona_id: persona.id,
          name: persona.name,
          description: persona.description,
          status: 'active' as const,
          social_energy: persona.state.socialEnergy,
          available_time: persona.state.availableTime,
          current_priority: persona.state.currentPriority,
        }
      },
    }),
    defineMethod({
      name: 'persona.status',
      description: 'Profile, interaction state and memory figures of a persona (default: the current one).',
      readOnly: true,
      params: OptionalPersonaParam,
      result: PersonaStatus(memoryStats.schema),
      handler: async ({ persona_id }, ctx) => {
        const chosen = target(ctx, persona_id)
        const { interaction_state, ...persona } = personaView(chosen, personas)
        return {
          persona, interaction_state, memory_stats: await memoryStats.of(persona.id, ctx.connection.user), condition: conditionView(personas.condition(chosen)),
        }
      },
    }),
    defineMethod({
      name: 'persona.create',
      description: 'Create a persona. Names are unique, case-insensitively. It is yours: only you (and admin keys) may change or delete it.',
      params: PersonaCreateBody,
      result: PersonaCreated,
      handler: async (body, ctx) => {
        const persona = await personas.create({ ...personaPatch(body), name: body.name }, ctx.connection.user.id)
        return { persona_id: persona.id, name: persona.name, created: true as const }
      },
    }),
    defineMethod({
      name: 'persona.update',
      idempotent: true,
      description: 'Change a persona\'s profile or state; only the fields given change. Built-ins cannot be renamed. ' +
        'Client keys may change only the personas they created (others: -32005 forbidden); admin keys any.',
      params: Type.Composite([PersonaIdParam, PersonaPatchBody]),
      result: PersonaUpdated,
      handler: async ({ persona_id, ...body }, ctx) => {
        const { id } = requireChangeable(personas.get(persona_id), ctx.connection.user)
        const persona = await personas.update(id, personaPatch(body))
        return { persona_id: persona.id, updated: true as const, persona: personaView(persona, personas) }
      },
    }),
    defineMethod({
      name: 'persona.delete',
      destructive: true,
      idempotent: true,
      description: 'Delete a persona with its conversations and memories. Built-in personas cannot be deleted; ' +
        'client keys may delete only the personas they created (others: -32005 forbidden).',
      params: PersonaIdParam,
      result: PersonaRemoved,
      handler: async ({ persona_id }, ctx) => {
        const { id } = requireChangeable(personas.get(persona_id), ctx.connection.user)
        const persona = await personas.delete(id)
        const { session } = ctx.connection
        if (session.personaId === persona.id) await sessions.setPersona(session, null)
        return { persona_id: persona.id, name: persona.name, deleted: true as const, message: `Persona ${persona.name} deleted` }
      },
    }),
  ]
}
