import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'

// Fastify's own schema compilers (Ajv for requests, fast-json-stringify for replies), each route's compiled
// on its first request instead of at start-up. With a few hundred routes (the admin API, Swagger UI's files)
// compiling every one up front was a third of the CPU time to /health; most are never called by a given
// process. A schema that does not compile fails its route's first request (500) instead of the start.
// Fastify lower-cases header schemas' keys only for its built-in compilers: ours must be written in lower case.

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>
type Validate = ((data: unknown, context?: unknown) => unknown) & { errors?: unknown, schemaEnv?: unknown }

// the same packages, at the versions Fastify itself would load
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'))

/** Compiles on first use, and shows Fastify the compiled function's `errors` and `schemaEnv` (Ajv's coercion needs the latter). */
function deferredValidator (compile: () => Validate): Validate {
  let compiled: Validate | undefined
  const get = () => (compiled ??= compile())
  const validate: Validate = (data, context) => get()(data, context)
  Object.defineProperty(validate, 'errors', { get: () => get().errors })
  Object.defineProperty(validate, 'schemaEnv', { get: () => get().schemaEnv })
  return validate
}

/** Even Ajv itself (a hundred modules, and an instance per plugin context) is loaded by the first validation. */
export function deferredSchemaCompilers (): CompilersFactory {
  let validators: ValidatorFactory | undefined
  let serializers: SerializerFactory | undefined
  const buildValidator: ValidatorFactory = (externalSchemas, options) => {
    let compile: ReturnType<ValidatorFactory> | undefined
    return ((route) => deferredValidator(() => {
      validators ??= (fastifyRequire('@fastify/ajv-compiler') as () => ValidatorFactory)()
      compile ??= validators(externalSchemas, options)
      return compile(route) as Validate
    })) as ReturnType<ValidatorFactory>
  }
  const buildSerializer: SerializerFactory = (externalSchemas, options) => {
    let compile: ReturnType<SerializerFactory> | undefined
    return (route) => {
      let serialize: ((doc: unknown) => string) | undefined
      return (doc) => {
        if (serialize === undefined) {
          serializers ??= (fastifyRequire('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)()
          compile ??= serializers(externalSchemas, options)
          serialize = compile(route)
        }
        return serialize(doc)
      }
    }
  }
  return { buildValidator, buildSerializer }
}
