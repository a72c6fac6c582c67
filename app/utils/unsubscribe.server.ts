import { getEnv } from '~/utils/env.server'
import { signValue, verifySignedValue } from '~/utils/security.server'

// Unsubscribe links (decision 0011). A token names one signature and is signed with a key derived from
// SESSION_SECRET, so it cannot be guessed or altered; it never expires, as RFC 8058 expects.
// From the signature the route finds the campaign, its organisation and the canonical email.

const PURPOSE = 'unsubscribe'

export function unsubscribeToken(signatureId: string): string {
  return `${signatureId}.${signValue(PURPOSE, signatureId)}`
}

/** The signature id a token names, or null when it is malformed or forged. */
export function readUnsubscribeToken(token: string): string | null {
  const match = /^([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!match) return null
  const [, signatureId, signature] = match
  return verifySignedValue(PURPOSE, signatureId!, signature!) ? signatureId! : null
}

export function unsubscribeUrl(signatureId: string, locale?: string): string {
  const url = `${getEnv().APP_URL}/unsubscribe/${unsubscribeToken(signatureId)}`
  return locale ? `${url}?lang=${locale}` : url
}

/**
 * The headers every non-transactional email carries: a one-click (RFC 8058) HTTPS link. Mail
 * providers POST `List-Unsubscribe=One-Click` to it; the route answers 200 and unsubscribes.
 */
export function listUnsubscribeHeaders(signatureId: string): Record<string, string> {
  return {
    'List-Unsubscribe': `<${getEnv().APP_URL}/unsubscribe/${unsubscribeToken(signatureId)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  }
}
