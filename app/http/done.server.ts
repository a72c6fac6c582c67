/** Reads `?done=` (what the last post did, after post/redirect/get) if it is one the page knows. */
export function readDone<const Done extends string>(request: Request, allowed: readonly Done[]): Done | null {
  const done = new URL(request.url).searchParams.get('done')
  return allowed.find((d) => d === done) ?? null
}
