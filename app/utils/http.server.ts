/** Public pages and JSON: short enough to stay fresh, long enough for a CDN to absorb a surge. */
export const PUBLIC_CACHE = 'public, max-age=5, stale-while-revalidate=30'
export const NO_STORE = 'no-store'

export function publicHeaders(extra: Record<string, string> = {}) {
  return { 'Cache-Control': PUBLIC_CACHE, Vary: 'Accept-Language, Cookie', ...extra }
}
