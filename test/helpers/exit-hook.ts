// Clean-up that must happen even when a test file's teardowns never finish (an uncaught error, process.exit,
// a teardown cut short): the process's 'exit' event, where only synchronous work runs. Not reached when the
// process dies of a signal; on tap's own timeout the teardowns do run, and each teardown unhooks its own.

/** Runs `cleanUp` (synchronous) when the process exits; the returned function unhooks it, for a normal stop. */
export function onProcessExit (cleanUp: () => void): () => void {
  process.once('exit', cleanUp)
  return () => { process.removeListener('exit', cleanUp) }
}
