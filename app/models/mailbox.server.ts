import { open, openNullable, recipientIndex } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'

/** Emails kept by the development mailbox transport, newest first, opened (recipient and body are sealed at rest). */
export async function listMailbox({ to, limit = 50 }: { to?: string; limit?: number }) {
  let query = getDb()
    .selectFrom('email_messages')
    .select(['id', 'recipient', 'subject', 'template', 'locale', 'status', 'html', 'created_at', 'sent_at'])
    .where('transport', '=', 'mailbox')
    .where('html', 'is not', null)
    .orderBy('id', 'desc')
    .limit(limit)
  if (to) query = query.where('recipient_index', '=', await recipientIndex(to))
  const rows = await query.execute()
  return await Promise.all(rows.map(async (row) => ({ ...row, recipient: await open(row.recipient), html: await openNullable(row.html) })))
}
