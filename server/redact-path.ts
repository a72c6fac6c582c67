// One rule for every secret that travels in a URL path (confirmation, unsubscribe, sign-in,
// invitation, sender verification, and the my-data and email-preference links to come): request
// logs show `:token` in its place. Query strings are never logged at all (decision 0015).

/**
 * The path segments after which a secret follows. A route that takes a token in its path is
 * listed here; tests/integration/log-redaction.test.ts walks app/routes and fails for one that is not.
 */
export const TOKEN_PATH_PREFIXES = [
  '/confirm/',
  '/unsubscribe/',
  '/admin/sign-in/',
  '/admin/invitations/',
  '/admin/organisation/sender/',
  '/my-data/',
  '/email-preferences/',
  '/preferences/',
] as const

/**
 * Besides: any segment that looks like a random token (20 or more URL-safe base64 characters with
 * a capital letter), wherever it is. Slugs are lower case and media hashes hex, so they stay.
 */
const TOKEN_LIKE = /^[A-Za-z0-9_.-]{20,}$/
const CAPITAL = /[A-Z]/

/** The path as request logs show it: every token replaced by `:token`. Linear in the path. */
export function redactPath(path: string): string {
  if (path.length > 4096) return `${path.slice(0, 64)}…`
  for (const prefix of TOKEN_PATH_PREFIXES) {
    if (path.startsWith(prefix) && path.length > prefix.length) {
      const rest = path.slice(prefix.length)
      const slash = rest.indexOf('/')
      return `${prefix}:token${slash === -1 ? '' : rest.slice(slash)}`
    }
  }
  return path
    .split('/')
    .map((segment) => (TOKEN_LIKE.test(segment) && CAPITAL.test(segment) ? ':token' : segment))
    .join('/')
}
