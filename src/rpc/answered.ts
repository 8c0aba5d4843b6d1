// A handler that has already put its whole answer on the wire itself (the legacy stream framing, which
// ends a stream with a frame JSON-RPC has no shape for) returns this: the dispatcher then sends nothing.

export const ANSWERED: unique symbol = Symbol('rpc.answered')

/** ANSWERED, typed as whatever the handler's result is */
export const answered = <T> (): T => ANSWERED as never
