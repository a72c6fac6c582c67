import { getDb } from '~/utils/db.server'

/** Emails kept by the development mailbox transport, newest first. */
export async function listMailbox({ to, limit = 50 }: { to?: string; limit?: number }) {
  let query = getDb()
    .selectFrom('email_messages')
    .select(['id', 'recipient', 'subject', 'template', 'locale', 'status', 'html', 'created_at', 'sent_at'])
    .where('transport', '=', 'mailbox')
    .where('html', 'is not', null)
    .orderBy('id', 'desc')
    .limit(limit)
  if (to) query = query.where('recipient', '=', to.trim().toLowerCase())
  return await query.execute()
}
