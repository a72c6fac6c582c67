import type { Kysely, Transaction } from 'kysely'
import type { Database } from '#db/types'
import { open, openNullable, organisationOfCampaign, recipientIndex, sealerFor } from '~/models/data-key.server'

// The one door for an email's content (recipient, subject, bodies) into and out of
// email_messages. The recipient and the bodies are sealed with the campaign's organisation's
// data key (the platform's for emails of no campaign); the subject names only the campaign and
// stays readable, so the workspace can show what was sent (decision 0040).

export type EmailContent = { recipient: string; subject: string; html: string | null; text: string | null }
export type SealedEmailContent = EmailContent & { recipientIndex: string | null }

type Executor = Kysely<Database> | Transaction<Database>

// Campaigns never move between organisations: which one a campaign belongs to is asked once.
const organisationOf = new Map<string, string | null>()

async function organisationFor(db: Executor, campaignId: string | null): Promise<string | null> {
  if (!campaignId) return null
  if (organisationOf.has(campaignId)) return organisationOf.get(campaignId)!
  const organisationId = await organisationOfCampaign(db, campaignId)
  if (organisationOf.size > 10_000) organisationOf.clear()
  if (organisationId) organisationOf.set(campaignId, organisationId)
  return organisationId
}

export async function sealEmailContent(db: Executor, campaignId: string | null, content: EmailContent): Promise<SealedEmailContent> {
  const sealValue = await sealerFor(await organisationFor(db, campaignId))
  return {
    recipient: sealValue(content.recipient),
    subject: content.subject,
    html: content.html === null ? null : sealValue(content.html),
    text: content.text === null ? null : sealValue(content.text),
    recipientIndex: content.recipient ? await recipientIndex(content.recipient) : null,
  }
}

export async function openEmailContent(db: Executor, _campaignId: string | null, content: EmailContent): Promise<EmailContent> {
  return {
    recipient: await open(content.recipient, db),
    subject: content.subject,
    html: await openNullable(content.html, db),
    text: await openNullable(content.text, db),
  }
}
