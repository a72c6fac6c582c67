import { getEnv } from '~/utils/env.server'

/** What an email's sender is derived from: the organisation's identity (decision 0035). */
export interface SenderIdentity {
  name: string
  sender_name: string | null
  sender_email: string | null
  sender_email_verified: boolean
}

/** The bare address of an RFC 5322 mailbox (`Name <a@b>` or `a@b`). */
export function mailboxAddress(mailbox: string): string {
  const match = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(mailbox)
  return (match ? match[1]! : mailbox).trim()
}

/** A display name made safe for a header: no line breaks or control characters, quoted. */
export function quoteDisplayName(name: string): string {
  const clean = name
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120)
  return `"${clean.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

/**
 * The From header of every email. With no organisation (sign-in links), EMAIL_FROM as it is;
 * otherwise "<sender name> via Chorus <EMAIL_FROM's address>", or the organisation's own
 * address under its own name once that address has been confirmed.
 */
export function emailFrom(organisation: SenderIdentity | null | undefined): string {
  const configured = getEnv().EMAIL_FROM
  if (!organisation) return configured
  const name = organisation.sender_name?.trim() || organisation.name.trim()
  if (organisation.sender_email && organisation.sender_email_verified) {
    return `${quoteDisplayName(name)} <${organisation.sender_email}>`
  }
  return `${quoteDisplayName(`${name} via Chorus`)} <${mailboxAddress(configured)}>`
}
