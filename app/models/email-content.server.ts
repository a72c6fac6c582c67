import type { Kysely, Transaction } from 'kysely'
import type { Database } from '#db/types'

// The one door for an email's content (recipient, subject, bodies) into and out of
// email_messages. Identity for now; the privacy work seals it per campaign (cross-helper
// contract: every write goes through sealEmailContent, every read through openEmailContent).

export type EmailContent = { recipient: string; subject: string; html: string | null; text: string | null }

export async function sealEmailContent(
  _db: Kysely<Database> | Transaction<Database>,
  _campaignId: string | null,
  content: EmailContent,
): Promise<EmailContent> {
  return content
}

export async function openEmailContent(
  _db: Kysely<Database> | Transaction<Database>,
  _campaignId: string | null,
  content: EmailContent,
): Promise<EmailContent> {
  return content
}
