import { beforeEach, describe, expect, it } from 'vitest'
import { emailIndex, seal } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'
import { createCampaign, createSignature } from '../support/factories'
import { deliverResend, forgetResendWebhookSecret, nextSvixId, resendEvent, signResendPayload, useResendWebhookSecret } from '../support/resend-webhooks'

beforeEach(() => {
  useResendWebhookSecret()
})

const db = () => getDb()

let sequence = 0
/** An update email Resend accepted (status 'sent', with Resend's id), to `recipient`, about a campaign. */
async function sentEmail({ recipient = 'Jo.Bloggs+news@Example.org', organisationId }: { recipient?: string; organisationId?: string } = {}) {
  const campaign = await createCampaign(db(), organisationId ? { organisation_id: organisationId } : {})
  const signature = await createSignature(db(), { campaign_id: campaign.id, email: recipient, state: 'confirmed' })
  const providerId = `re_${Date.now().toString(36)}_${++sequence}`
  const message = await db()
    .insertInto('email_messages')
    .values({
      idempotency_key: `test/${providerId}`,
      // Stored as the sender stores it: sealed (decision 0040).
      recipient: await seal(campaign.organisation_id, recipient.toLowerCase()),
      template: 'campaign-update',
      subject: 'An update',
      locale: 'en',
      transport: 'resend',
      status: 'sent',
      provider_id: providerId,
      signature_id: signature.id,
      campaign_id: campaign.id,
      sent_at: new Date(),
    })
    .returning(['id'])
    .executeTakeFirstOrThrow()
  return { campaign, signature, providerId, messageId: message.id }
}

const messageOf = (id: string) => db().selectFrom('email_messages').select(['status', 'last_event_at']).where('id', '=', id).executeTakeFirstOrThrow()
const suppressions = () => db().selectFrom('email_suppressions').selectAll().orderBy('email_index').execute()
const storedEvents = () => db().selectFrom('resend_events').selectAll().orderBy('received_at').execute()

describe('POST /webhooks/resend: verification', () => {
  it('records a correctly signed delivery', async () => {
    const { providerId, messageId } = await sentEmail()
    const at = new Date(Date.now() - 5_000)
    const response = await deliverResend(resendEvent('email.delivered', providerId, { createdAt: at }))
    expect(response.status).toBe(200)
    expect(response.data).toEqual({ received: true, outcome: 'recorded' })
    expect(await messageOf(messageId)).toEqual({ status: 'delivered', last_event_at: at })
    expect(await storedEvents()).toMatchObject([{ type: 'email.delivered', provider_id: providerId, outcome: 'recorded' }])
  })

  it('refuses a forged signature with 400 and changes nothing', async () => {
    const { providerId, messageId } = await sentEmail()
    const response = await deliverResend(resendEvent('email.bounced', providerId), { secret: `whsec_${Buffer.from('not-the-secret').toString('base64')}` })
    expect(response.status).toBe(400)
    expect(response.data).toEqual({ error: 'invalid_signature' })
    expect((await messageOf(messageId)).status).toBe('sent')
    expect(await suppressions()).toEqual([])
    expect(await storedEvents()).toEqual([])
  })

  it('refuses a missing signature, and a body altered after signing', async () => {
    const { providerId, messageId } = await sentEmail()
    expect((await deliverResend(resendEvent('email.complained', providerId), { signature: null })).status).toBe(400)
    const id = nextSvixId()
    const timestamp = Math.floor(Date.now() / 1000)
    const signedFor = JSON.stringify(resendEvent('email.delivered', providerId))
    const tampered = JSON.stringify(resendEvent('email.complained', providerId))
    const response = await deliverResend(null, { id, timestamp, body: tampered, signature: signResendPayload(signedFor, { id, timestamp }) })
    expect(response.status).toBe(400)
    expect((await messageOf(messageId)).status).toBe('sent')
    expect(await suppressions()).toEqual([])
    expect(await storedEvents()).toEqual([])
  })

  it('refuses a correctly signed but stale delivery (outside the five-minute tolerance), and one from the future', async () => {
    const { providerId, messageId } = await sentEmail()
    const tenMinutes = 600
    for (const timestamp of [Math.floor(Date.now() / 1000) - tenMinutes, Math.floor(Date.now() / 1000) + tenMinutes]) {
      const response = await deliverResend(resendEvent('email.bounced', providerId), { timestamp })
      expect(response.status).toBe(400)
    }
    expect((await messageOf(messageId)).status).toBe('sent')
    expect(await suppressions()).toEqual([])
    expect(await storedEvents()).toEqual([])
  })

  it('refuses a signed body that is not an event (400), and an email event without an email id', async () => {
    const { messageId } = await sentEmail()
    expect((await deliverResend(null, { body: 'not json' })).status).toBe(400)
    const response = await deliverResend({ type: 'email.bounced', created_at: new Date().toISOString(), data: { to: ['x@example.org'] } })
    expect(response.status).toBe(400)
    expect(response.data).toEqual({ error: 'invalid_event' })
    expect((await messageOf(messageId)).status).toBe('sent')
    expect(await storedEvents()).toEqual([])
  })

  it('answers 404 while RESEND_WEBHOOK_SECRET is not set, and 405 to a GET', async () => {
    const { providerId } = await sentEmail()
    forgetResendWebhookSecret()
    const response = await deliverResend(resendEvent('email.delivered', providerId))
    expect(response.status).toBe(404)
    expect(response.data).toEqual({ error: 'resend_webhook_not_configured' })
    expect(await storedEvents()).toEqual([])
    const { loader } = await import('~/routes/webhooks.resend')
    expect(loader().status).toBe(405)
  })
})

describe('delivery states', () => {
  it('a replayed delivery (same svix-id) is acknowledged and applied once', async () => {
    const { providerId, messageId } = await sentEmail()
    const id = nextSvixId()
    const event = resendEvent('email.bounced', providerId, { data: { bounce: { type: 'Permanent', subType: 'General', message: 'No such user' } } })
    const first = await deliverResend(event, { id })
    // Clear the suppression between the two: a replay that applied the event again would put it back.
    await db().deleteFrom('email_suppressions').execute()
    const second = await deliverResend(event, { id })
    expect([first.status, second.status]).toEqual([200, 200])
    expect(second.data.outcome).toBe('duplicate')
    expect(await suppressions()).toEqual([])
    expect(await storedEvents()).toHaveLength(1)
    expect((await messageOf(messageId)).status).toBe('bounced')
  })

  it('the same delivery arriving concurrently is applied once', async () => {
    const { providerId } = await sentEmail()
    const id = nextSvixId()
    const event = resendEvent('email.complained', providerId)
    const outcomes = await Promise.all([deliverResend(event, { id }), deliverResend(event, { id }), deliverResend(event, { id })])
    expect(outcomes.map((r) => r.status)).toEqual([200, 200, 200])
    expect(outcomes.map((r) => r.data.outcome).sort()).toEqual(['duplicate', 'duplicate', 'recorded'])
    expect(await suppressions()).toHaveLength(1)
  })

  it('a hard bounce records the state and suppresses the canonical address for the campaign’s organisation only', async () => {
    const { campaign, providerId, messageId } = await sentEmail()
    const other = await sentEmail({ recipient: 'someone.else@example.org' })
    const response = await deliverResend(
      resendEvent('email.bounced', providerId, { data: { bounce: { type: 'Permanent', subType: 'Suppressed', message: 'x' } } }),
    )
    expect(response.data.outcome).toBe('recorded')
    expect((await messageOf(messageId)).status).toBe('bounced')
    expect(await suppressions()).toMatchObject([
      { organisation_id: campaign.organisation_id, email_index: await emailIndex('jo.bloggs@example.org'), reason: 'bounce', email_message_id: messageId },
    ])
    expect((await messageOf(other.messageId)).status).toBe('sent')
  })

  it('a soft (transient) bounce is recorded but suppresses nothing', async () => {
    const { providerId, messageId } = await sentEmail()
    await deliverResend(resendEvent('email.bounced', providerId, { data: { bounce: { type: 'Transient', subType: 'MailboxFull', message: 'full' } } }))
    expect((await messageOf(messageId)).status).toBe('bounced')
    expect(await suppressions()).toEqual([])
  })

  it('a complaint records the state and suppresses the address, replacing a manual entry', async () => {
    const { campaign, providerId, messageId } = await sentEmail()
    await db()
      .insertInto('email_suppressions')
      .values({ organisation_id: campaign.organisation_id, email_index: await emailIndex('jo.bloggs@example.org'), reason: 'manual' })
      .execute()
    await deliverResend(resendEvent('email.complained', providerId))
    expect((await messageOf(messageId)).status).toBe('complained')
    expect(await suppressions()).toMatchObject([{ email_index: await emailIndex('jo.bloggs@example.org'), reason: 'complaint', email_message_id: messageId }])
  })

  it('out-of-order events never move a state backwards; last_event_at keeps the latest event', async () => {
    const { providerId, messageId } = await sentEmail()
    const t0 = Date.now() - 60_000
    await deliverResend(resendEvent('email.delivered', providerId, { createdAt: new Date(t0 + 20_000) }))
    await deliverResend(resendEvent('email.complained', providerId, { createdAt: new Date(t0 + 40_000) }))
    // Late arrivals of earlier events.
    await deliverResend(resendEvent('email.delivery_delayed', providerId, { createdAt: new Date(t0 + 10_000) }))
    await deliverResend(resendEvent('email.sent', providerId, { createdAt: new Date(t0) }))
    await deliverResend(resendEvent('email.delivered', providerId, { createdAt: new Date(t0 + 20_000) }))
    expect(await messageOf(messageId)).toEqual({ status: 'complained', last_event_at: new Date(t0 + 40_000) })
  })

  it('delayed, then delivered', async () => {
    const { providerId, messageId } = await sentEmail()
    await deliverResend(resendEvent('email.delivery_delayed', providerId))
    expect((await messageOf(messageId)).status).toBe('delayed')
    await deliverResend(resendEvent('email.delivered', providerId))
    expect((await messageOf(messageId)).status).toBe('delivered')
  })

  it('acknowledges events about unknown emails and event types it does not track, changing nothing', async () => {
    const { messageId } = await sentEmail()
    const unknown = await deliverResend(resendEvent('email.delivered', 're_never_sent_by_us'))
    expect(unknown.data).toEqual({ received: true, outcome: 'unknown-email' })
    const opened = await deliverResend(resendEvent('email.opened', 're_whatever'))
    expect(opened.data).toEqual({ received: true, outcome: 'ignored' })
    const contact = await deliverResend({ type: 'contact.created', created_at: new Date().toISOString(), data: { id: 'c1', email: 'x@example.org' } })
    expect(contact.data).toEqual({ received: true, outcome: 'ignored' })
    expect((await messageOf(messageId)).status).toBe('sent')
    expect((await storedEvents()).map((e) => e.outcome)).toEqual(['unknown-email', 'ignored', 'ignored'])
  })

  it('does not suppress the address of a removed supporter (the email keeps no address)', async () => {
    const { providerId, messageId } = await sentEmail()
    await db().updateTable('email_messages').set({ recipient: 'redacted', signature_id: null }).where('id', '=', messageId).execute()
    await deliverResend(resendEvent('email.bounced', providerId))
    expect((await messageOf(messageId)).status).toBe('bounced')
    expect(await suppressions()).toEqual([])
  })
})
