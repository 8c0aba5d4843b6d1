/** A failed call, said where it happened. */
export function ErrorNote ({ error }: { error: string | undefined }) {
  return error ? <p class="error" role="alert">{error}</p> : null
}
