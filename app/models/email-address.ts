const GMAIL_STYLE_DOMAINS = new Set(['gmail.com', 'googlemail.com'])

/**
 * The address used to find duplicates: lower-cased, `+tags` removed, and for Gmail-style
 * domains dots removed (and googlemail folded into gmail), so one inbox signs once.
 */
export function canonicalEmail(email: string): string {
  const trimmed = email.trim().toLowerCase()
  const at = trimmed.lastIndexOf('@')
  if (at < 1) return trimmed
  let local = trimmed.slice(0, at)
  let domain = trimmed.slice(at + 1)
  local = local.split('+')[0] ?? local
  if (GMAIL_STYLE_DOMAINS.has(domain)) {
    local = local.replaceAll('.', '')
    domain = 'gmail.com'
  }
  return `${local}@${domain}`
}
