import { setImmediate as nextTurn } from 'node:timers/promises'
import { sql } from 'kysely'
import type { RenderedEmail } from '#emails/render'
import { renderUpdateEmail, UNSUBSCRIBE_PLACEHOLDER } from '~/models/campaign-update-send.server'
import { buildDonationReceipt } from '~/models/donation-receipt.server'
import { sealEmailContent, type EmailContent } from '~/models/email-content.server'
import { buildMyDataLinkEmail } from '~/models/my-data.server'
import { buildInvitationEmail } from '~/models/invitation.server'
import { buildSignInLinkEmail } from '~/models/sign-in.server'
import { buildSenderVerificationEmail } from '~/models/organisation.server'
import { buildSignatureEmail, getBatchSignature, newSignatureEmailBatch, readBatchSignatures, type SignatureEmailBatch } from '~/models/signature-email.server'
import { getDb, type Tx } from '~/utils/db.server'
import type { OutgoingEmail } from '~/utils/email.server'
import { getEnv } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'
import { listUnsubscribeHeaders, unsubscribeUrl } from '~/utils/unsubscribe.server'

// Step 2 of the sender (email-sender.server.ts): every claimed email rendered from its template
// and stored, sealed, on its row, so a resend after a crash is byte for byte the same request.

interface PendingRow {
  id: string
  template: string
  payload: Record<string, string> | null
  locale: string
  signature_id: string | null
  campaign_id: string | null
  update_id: string | null
}

/** Rows of an update whose signer has since unsubscribed, been suppressed or removed, or whose update was stopped. */
async function skipUnwantedUpdateEmails(tx: Tx, batchId: string) {
  await sql`
    update email_messages m set status = 'skipped', updated_at = now(), error = r.reason
    from (
      select m2.id, case
          when u.status <> 'sending' then 'cancelled'
          when m2.signature_id is null or s.email = '' then 'removed'
          when exists (select 1 from email_suppressions x where x.organisation_id = c.organisation_id and x.email_index = s.email_index) then 'suppressed'
          when s.id is null or s.state <> 'confirmed' or not s.consent_updates then 'withdrawn'
          when exists (select 1 from email_unsubscribes x where x.organisation_id = c.organisation_id and x.email_index = s.email_index
            and (x.campaign_id is null or x.campaign_id = c.id)) then 'unsubscribed'
        end as reason
      from email_messages m2
      join campaign_updates u on u.id = m2.update_id
      join campaigns c on c.id = u.campaign_id
      left join signatures s on s.id = m2.signature_id
      where m2.batch_id = ${batchId} and m2.status = 'sending'
    ) r
    where m.id = r.id and r.reason is not null`.execute(tx)
}

type Rendered = Pick<OutgoingEmail, 'to' | 'subject' | 'html' | 'text' | 'headers'> & { locale?: string; from?: string }

/** What the emails of one batch share, read or rendered once for all of them. */
interface BatchMemo {
  updates: Map<string, Promise<(RenderedEmail & { from: string }) | null>>
  signatures: SignatureEmailBatch
}

const SIGNATURE_TEMPLATES = new Set(['signature-confirmation', 'already-signed', 'signature-thanks'])

/** The signature a queued email is about, if it is about one. */
function signatureIdOf(row: PendingRow): string | null {
  if (SIGNATURE_TEMPLATES.has(row.template)) return row.payload?.signatureId ?? row.signature_id
  return row.template === 'campaign-update' ? row.signature_id : null
}

/** Renders one queued email, or null when it is no longer due (confirmed, used, withdrawn since). */
async function renderQueued(row: PendingRow, batch: BatchMemo): Promise<Rendered | null> {
  const { updates, signatures } = batch
  const p = row.payload ?? {}
  switch (row.template) {
    case 'signature-confirmation':
    case 'already-signed':
    case 'signature-thanks':
      return await buildSignatureEmail(row.template, p.signatureId ?? row.signature_id ?? '', p.token, signatures)
    case 'sign-in-link':
      return await buildSignInLinkEmail(p.signInTokenId!, p.token!, p.locale ?? row.locale)
    case 'invitation':
      return await buildInvitationEmail(p.invitationId!, p.token!, p.locale ?? row.locale)
    case 'donation-receipt':
      return await buildDonationReceipt(p.paymentId!)
    case 'my-data-link':
      return await buildMyDataLinkEmail(p.requestId!, p.token!, p.locale ?? row.locale)
    case 'sender-verification':
      return await buildSenderVerificationEmail(p.organisationId!, p.token!, p.locale ?? row.locale)
    case 'campaign-update-test': {
      const update = { id: p.updateId!, campaignId: row.campaign_id ?? '' }
      const rendered = await renderUpdateEmail(update, row.locale, { unsubscribe: `${getEnv().APP_URL}/unsubscribe/test`, test: true })
      return rendered ? { to: p.recipient!, ...rendered } : null
    }
    case 'campaign-update': {
      if (!row.update_id || !row.signature_id) return null
      const key = `${row.update_id}/${row.locale}`
      if (!updates.has(key)) updates.set(key, renderUpdateEmail({ id: row.update_id, campaignId: row.campaign_id ?? '' }, row.locale))
      const template = await updates.get(key)
      if (!template) return null
      const to = (await getBatchSignature(signatures, row.signature_id))?.email
      if (!to) return null
      const link = unsubscribeUrl(row.signature_id, row.locale)
      return {
        to,
        from: template.from,
        subject: template.subject,
        html: template.html.replaceAll(UNSUBSCRIBE_PLACEHOLDER, link),
        text: template.text.replaceAll(UNSUBSCRIBE_PLACEHOLDER, link),
        headers: listUnsubscribeHeaders(row.signature_id),
      }
    }
    default:
      logger.error({ template: row.template, emailId: row.id }, 'no renderer for queued email')
      return null
  }
}

/**
 * How many emails of a batch are sealed and written at a time. A batch of 100 is about a
 * megabyte once sealed: done at once, the work held the event loop (and the sign POSTs the same
 * process answers) for 50-70 ms; in pieces, for a fraction of that at a time.
 */
const PIECE = 20

/**
 * Step 2: every email of the batch rendered and stored with it, or skipped, in one transaction.
 * Answers what it stored, as written before sealing, by email id: the sender sends that at once
 * rather than reading back and opening what it has just sealed (a resumed batch is read back).
 */
export async function prepareBatch(batchId: string): Promise<Map<string, EmailContent>> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      await skipUnwantedUpdateEmails(tx, batchId)
      const rows = (await tx
        .selectFrom('email_messages')
        .select(['id', 'template', 'payload', 'locale', 'signature_id', 'campaign_id', 'update_id'])
        .where('batch_id', '=', batchId)
        .where('status', '=', 'sending')
        // Rendered before (then sent alone after a refusal of its batch): kept as it was.
        .where('html', 'is', null)
        .orderBy('id')
        .execute()) as PendingRow[]
      const memo: BatchMemo = { updates: new Map(), signatures: newSignatureEmailBatch() }
      // Every signature the batch is about in one query; the emails then read none of their own.
      await readBatchSignatures(
        memo.signatures,
        rows.map(signatureIdOf).filter((id) => id !== null),
        tx,
      )
      const rendered: (Rendered | null)[] = []
      // A few at a time: some renders read the database (their campaign or update once per
      // batch, the rarer templates each their own row), and the answers overlap.
      for (let i = 0; i < rows.length; i += 10) {
        rendered.push(...(await Promise.all(rows.slice(i, i + 10).map((row) => renderQueued(row, memo)))))
      }
      const ids: string[] = []
      const locales: string[] = []
      const senders: (string | null)[] = []
      const recipients: string[] = []
      const recipientIndexes: (string | null)[] = []
      const subjects: string[] = []
      const htmls: (string | null)[] = []
      const texts: (string | null)[] = []
      const headers: (string | null)[] = []
      const skipped: string[] = []
      const prepared = new Map<string, EmailContent>()
      for (const [i, row] of rows.entries()) {
        const email = rendered[i]
        if (!email || !email.to) {
          skipped.push(row.id)
          continue
        }
        const content: EmailContent = { recipient: email.to, subject: email.subject, html: email.html, text: email.text }
        const sealed = await sealEmailContent(tx, row.campaign_id, content)
        prepared.set(row.id, content)
        ids.push(row.id)
        locales.push(email.locale ?? row.locale)
        senders.push(email.from ?? null)
        recipients.push(sealed.recipient)
        recipientIndexes.push(sealed.recipientIndex)
        subjects.push(sealed.subject)
        htmls.push(sealed.html)
        texts.push(sealed.text)
        headers.push(email.headers ? JSON.stringify(email.headers) : null)
        // The web requests this process serves meanwhile get a turn after each piece of the batch
        // (counted in emails sealed: a skipped one costs nothing).
        if (ids.length % PIECE === 0) await nextTurn()
      }
      // Written a piece at a time: one statement for the whole batch (a megabyte of sealed bodies)
      // held this process's event loop for tens of milliseconds while it was built and sent.
      for (let from = 0; from < ids.length; from += PIECE) {
        const to = from + PIECE
        await sql`update email_messages m set recipient = v.recipient, recipient_index = v.recipient_index, subject = v.subject, html = v.html, text = v.text,
            headers = v.headers::jsonb, locale = v.locale, sender = v.sender, payload = null, updated_at = now()
          from unnest(${ids.slice(from, to)}::bigint[], ${recipients.slice(from, to)}::text[], ${recipientIndexes.slice(from, to)}::text[], ${subjects.slice(from, to)}::text[],
            ${htmls.slice(from, to)}::text[], ${texts.slice(from, to)}::text[], ${headers.slice(from, to)}::text[], ${locales.slice(from, to)}::text[], ${senders.slice(from, to)}::text[])
            as v(id, recipient, recipient_index, subject, html, text, headers, locale, sender)
          where m.id = v.id`.execute(tx)
      }
      if (skipped.length > 0) {
        await tx
          .updateTable('email_messages')
          .set({ status: 'skipped', error: 'no longer due', payload: null, updated_at: sql`now()` })
          .where('id', 'in', skipped)
          .execute()
      }
      await tx
        .updateTable('email_batches')
        .set({ prepared_at: sql`now()` })
        .where('id', '=', batchId)
        .execute()
      return prepared
    })
}
