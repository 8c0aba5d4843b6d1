/**
 * The environment of a child process that runs our TypeScript through tsx (`bin/persona-mcp.js`,
 * the client scripts): only what is given, plus PATH, and no coverage recording.
 *
 * Why no coverage: tap's process-info hook follows every spawn and would record the child's coverage
 * into the same directory as the test processes'. Test processes compile a file with ts-node, children
 * with tsx, and coverage of one file from two different compilations cannot be merged: c8 keeps one
 * source map for the file (whichever report it reads last, a random order) and silently drops files
 * whose ranges do not fit it. The summary then counted anything from 0 to all statements for the same
 * run, and a coverage threshold failed at random. Test processes record coverage; children do not.
 */
export const NO_CHILD_COVERAGE = { _TAPJS_PROCESSINFO_COVERAGE_: '0' } as const

export function childEnv (env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', ...NO_CHILD_COVERAGE, ...env }
}
