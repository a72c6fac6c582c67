import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { openEmailRow } from '../../tests/support/jobs'
import { statementsOf } from '../../tests/support/statements'
import { rowsOf, updateTo } from '../../tests/support/update-send'
import { runUpdateFanOut } from './campaign-update-send.server'
import { sendNextBatch } from './email-sender.server'
import { buildSignatureEmail, newSignatureEmailBatch, readBatchSignatures, type SignatureEmailKind } from './signature-email.server'
import { queueSignatureEmail } from './signature.server'
import { getDb } from '~/utils/db.server'

const db = () => getDb()

async function queue(kind: SignatureEmailKind, signature: { id: string; campaign_id: string; locale: string }, token?: string) {
  await db()
    .transaction()
    .execute((tx) => queueSignatureEmail(tx, kind, { id: signature.id, campaignId: signature.campaign_id, locale: signature.locale }, token))
}

async function signersOf(campaignId: string, count: number) {
  const signers = []
  for (let i = 0; i < count; i++) {
    signers.push(await createSignature(db(), { campaign_id: campaignId, locale: i % 2 ? 'ru' : 'en', full_name: `Signer ${i}` }))
  }
  return signers
}

const readsSignatures = (statements: string[]) => statements.filter((s) => /from "signatures"/.test(s))
/** The statements storing the batch's sealed bodies: 20 emails at a time, so no one statement holds the event loop long. */
const writesBodies = (statement: string) => /update email_messages m set recipient = v\.recipient/.test(statement)

describe('the sender builds a batch of signature emails', () => {
  it('reads all its signatures in one query, however many emails the batch holds', async () => {
    const campaign = await createCampaign(db())
    const small = await signersOf(campaign.id, 3)
    const large = await signersOf(campaign.id, 40)

    for (const [i, signer] of small.entries()) await queue('signature-confirmation', signer, `small-token-${i}`)
    const smallBatch = await statementsOf(async () => expect(await sendNextBatch('test-sender')).toMatchObject({ status: 'sent', emails: 3 }))
    for (const [i, signer] of large.entries()) await queue('signature-confirmation', signer, `large-token-${i}`)
    const largeBatch = await statementsOf(async () => expect(await sendNextBatch('test-sender')).toMatchObject({ status: 'sent', emails: 40 }))

    expect(readsSignatures(smallBatch)).toHaveLength(1)
    expect(readsSignatures(largeBatch)).toHaveLength(1)
    // Nothing else is read or written per email either: 40 emails cost what 3 do, but for their
    // bodies, written 20 at a time.
    expect(smallBatch.filter(writesBodies)).toHaveLength(1)
    expect(largeBatch.filter(writesBodies)).toHaveLength(2)
    expect(largeBatch.filter((s) => !writesBodies(s))).toHaveLength(smallBatch.length - 1)
  })

  it('reads the signers of an update fan-out batch in one query too', async () => {
    const { updateId } = await updateTo(105)
    await runUpdateFanOut(updateId)
    const full = await statementsOf(async () => expect(await sendNextBatch('test-sender')).toMatchObject({ status: 'sent', emails: 100 }))
    const rest = await statementsOf(async () => expect(await sendNextBatch('test-sender')).toMatchObject({ status: 'sent', emails: 5 }))
    expect(full.filter(writesBodies)).toHaveLength(5)
    expect(rest.filter(writesBodies)).toHaveLength(1)
    expect(full.filter((s) => !writesBodies(s))).toHaveLength(rest.length - 1)
    const rows = await rowsOf(updateId)
    expect(rows.every((row) => row.status === 'sent' && /^fan-\d+@example\.org$/.test(row.recipient))).toBe(true)
    expect(new Set(rows.map((row) => row.recipient)).size).toBe(105)
  })

  it('builds each email as it would be built alone, skipping those no longer due since they were queued', async () => {
    const campaign = await createCampaign(db(), {
      translations: { ru: { title: 'Свободу правозащитникам', summary: 'Кратко', demand: 'Требуем', target_name: 'Министр' } },
    })
    const pending = await createSignature(db(), { campaign_id: campaign.id, full_name: 'Pat Pending', email: 'pat@example.org' })
    const russian = await createSignature(db(), { campaign_id: campaign.id, full_name: 'Ivan', email: 'ivan@example.org', locale: 'ru' })
    const unknownLocale = await createSignature(db(), { campaign_id: campaign.id, full_name: 'Kim', email: 'kim@example.org', locale: 'xx' })
    const confirmedSince = await createSignature(db(), { campaign_id: campaign.id, full_name: 'Cora Confirmed', email: 'cora@example.org' })
    const removed = await createSignature(db(), { campaign_id: campaign.id, full_name: 'Rex Removed', email: 'rex@example.org' })
    const thanked = await createSignature(db(), { campaign_id: campaign.id, full_name: 'Tia Thanked', email: 'tia@example.org', state: 'confirmed' })
    const again = await createSignature(db(), { campaign_id: campaign.id, full_name: 'Al Again', email: 'al@example.org', state: 'confirmed' })
    const notYet = await createSignature(db(), { campaign_id: campaign.id, full_name: 'Nat Notyet', email: 'nat@example.org' })

    const queued: [SignatureEmailKind, { id: string; campaign_id: string; locale: string }, string?][] = [
      ['signature-confirmation', pending, 'token-pat-000000000000'],
      ['signature-confirmation', russian, 'token-ivan-00000000000'],
      ['signature-confirmation', unknownLocale, 'token-kim-000000000000'],
      ['signature-confirmation', confirmedSince, 'token-cora-00000000000'],
      ['signature-confirmation', removed, 'token-rex-000000000000'],
      ['signature-thanks', thanked],
      ['already-signed', again],
      ['signature-thanks', notYet],
      // A confirmation with no token is never sent.
      ['signature-confirmation', notYet],
    ]
    for (const [kind, signature, token] of queued) await queue(kind, signature, token)
    // Between queueing and sending: one signer confirms, another is removed.
    await db().updateTable('signatures').set({ state: 'confirmed', confirmed_at: new Date() }).where('id', '=', confirmedSince.id).execute()
    await db().deleteFrom('signatures').where('id', '=', removed.id).execute()

    // Each built alone, as a single email is (no batch): what the batch must send.
    const alone = await Promise.all(queued.map(([kind, signature, token]) => buildSignatureEmail(kind, signature.id, token)))
    expect(alone.map((email) => email?.to ?? null)).toEqual([
      'pat@example.org',
      'ivan@example.org',
      'kim@example.org',
      null,
      null,
      'tia@example.org',
      'al@example.org',
      null,
      null,
    ])

    expect(await sendNextBatch('test-sender')).toMatchObject({ status: 'sent', emails: 5 })
    const rows = await Promise.all(
      (
        await db().selectFrom('email_messages').select(['status', 'error', 'recipient', 'subject', 'html', 'text', 'locale', 'sender']).orderBy('id').execute()
      ).map(openEmailRow),
    )
    expect(rows.map((row) => row.status)).toEqual(alone.map((email) => (email ? 'sent' : 'skipped')))
    for (const [i, row] of rows.entries()) {
      const email = alone[i]
      if (!email) {
        expect(row.error).toBe('no longer due')
        continue
      }
      expect(row).toMatchObject({ recipient: email.to, subject: email.subject, html: email.html, text: email.text, locale: email.locale, sender: email.from })
    }
    // The names and links are each signer's own, in their language (English when theirs is unknown).
    expect(rows[0]!.text).toContain('Hello Pat Pending,')
    expect(rows[0]!.text).toContain('/confirm/token-pat-000000000000?lang=en')
    expect(rows[1]!.locale).toBe('ru')
    expect(rows[1]!.text).toContain('Ivan')
    expect(rows[1]!.text).toContain('/confirm/token-ivan-00000000000?lang=ru')
    expect(rows[2]!.text).toContain('/confirm/token-kim-000000000000?lang=en')
    expect(rows[5]!.text).toContain('Tia Thanked')
    expect(rows[6]!.text).toContain('Al Again')
  })

  it('answers an id that is no signature with no email, alone as in a batch, rather than failing', async () => {
    const batch = newSignatureEmailBatch()
    await readBatchSignatures(batch, ['', 'not-an-id', '99999999'])
    expect(await buildSignatureEmail('signature-confirmation', 'not-an-id', 'token-000000000000000', batch)).toBeNull()
    expect(await buildSignatureEmail('signature-thanks', '')).toBeNull()
    expect(await buildSignatureEmail('signature-thanks', '99999999')).toBeNull()
  })

  it('sends a batch it has just prepared without reading back the bodies it sealed', async () => {
    const campaign = await createCampaign(db())
    for (const [i, signer] of (await signersOf(campaign.id, 5)).entries()) await queue('signature-confirmation', signer, `fresh-token-${i}`)
    const statements = await statementsOf(async () => expect(await sendNextBatch('test-sender')).toMatchObject({ status: 'sent', emails: 5 }))
    // Written once, sealed, for a resend after a crash, and never selected again.
    expect(statements.filter(writesBodies)).toHaveLength(1)
    const selectsBodies = (statement: string) => /^select (.*?) from "email_messages"/s.exec(statement.trim())?.[1]!.includes('"html"') ?? false
    expect(statements.filter(selectsBodies)).toEqual([])
  })
})
