import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createCampaignUpdate, startUpdateSend } from '~/models/campaign-update.server'
import { isSuppressed, suppress } from '~/models/email-preferences.server'
import { foldConfirmedSignatures } from '~/models/signature-count.server'
import { collectSupporterData, eraseSupporterData } from '~/models/supporter-data.server'
import { listSupporters } from '~/models/supporter.server'
import { confirmSignature, signCampaign } from '~/models/signature.server'
import { getDb } from '~/utils/db.server'
import { logger } from '~/utils/logger.server'
import { createCampaign } from '../support/factories'
import { deliver, events, startGift, useFakeStripe } from '../support/donations'
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe'
import { openEmailRow, queuedEmails, runDueJobs } from '../support/jobs'
import { plainDump } from '../support/plain-dump'

// Decision 0040: a dump of the database, or the logs, must not tell anyone who signed.

const SIGNER = { fullName: 'Zinaida Quixotic-Volkova', email: 'Zinaida.Quixote+petition@Example.org', postcode: 'QX1 9ZZ' }
const DONOR_EMAIL = 'donor.quixote@example.org'
const DONOR_NAME = 'Ada Donor' // the name startGift types into the donate form
const SECRETS = [/zinaida/i, /quixot/i, /volkova/i, /QX1 ?9ZZ/i, /donor\.quixote/i, new RegExp(DONOR_NAME, 'i')]

let fake: FakeStripe
beforeAll(async () => {
  fake = await startFakeStripe()
})
afterAll(async () => {
  await fake.close()
})
beforeEach(() => {
  useFakeStripe(fake)
})

/** What everything the app wrote to its log during `journey` says, at every level. */
async function logsOf(journey: () => Promise<void>): Promise<string> {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  const streamSym = pino.symbols.streamSym as unknown as keyof typeof logger
  const saved = { stream: logger[streamSym], level: logger.level }
  Object.assign(logger, { [streamSym]: sink })
  logger.level = 'trace'
  try {
    await journey()
  } finally {
    Object.assign(logger, { [streamSym]: saved.stream })
    logger.level = saved.level
  }
  return lines.join('')
}

/** A signer signs (with a postcode), confirms, gives, and gets an update; every email is sent. */
async function wholeJourney() {
  const campaign = await createCampaign(getDb(), { show_donation_totals: true })
  await signCampaign(
    { id: campaign.id, consentVersion: campaign.consent_version },
    { ...SIGNER, country: 'RU', consentUpdates: 'on', consentShowName: 'on' },
    { ip: '203.0.113.9', userAgent: 'test', locale: 'en' },
  )
  const token = (await queuedEmails('signature-confirmation')).at(-1)!.payload.token as string
  expect((await confirmSignature(token)).status).toBe('confirmed')
  await runDueJobs()
  const { session } = await startGift(fake, { campaign, email: DONOR_EMAIL })
  expect((await deliver(events.checkoutCompleted(session))).status).toBe(200)
  const { id: updateId } = await createCampaignUpdate(getDb(), {
    campaignId: campaign.id,
    kind: 'update',
    content: [{ locale: 'en', subject: 'We met the minister', body: 'It went well.' }],
    createdBy: null,
  })
  await startUpdateSend(getDb(), updateId, null)
  await runDueJobs()
  return campaign
}

describe('supporters’ details at rest', () => {
  it('a plain pg_dump after signing, confirming, giving and an update holds no name, address or postcode', async () => {
    const campaign = await wholeJourney()
    // The journey happened: every email went out, the signer and the gift are there.
    const emails = await Promise.all((await getDb().selectFrom('email_messages').selectAll().orderBy('id').execute()).map(openEmailRow))
    expect(emails.map((e) => [e.template, e.status])).toEqual([
      ['signature-confirmation', 'skipped'],
      ['signature-thanks', 'sent'],
      ['donation-receipt', 'sent'],
      ['campaign-update', 'sent'],
    ])
    expect(emails.find((e) => e.template === 'signature-thanks')!.recipient).toBe(SIGNER.email)
    expect(emails.find((e) => e.template === 'donation-receipt')!.recipient).toBe(DONOR_EMAIL)
    expect(emails.find((e) => e.template === 'signature-thanks')!.html).toContain('Zinaida')
    const [supporter] = (await listSupporters(campaign.id, { q: 'zinaida.quixote@example.org' })).supporters
    expect(supporter).toMatchObject({ fullName: SIGNER.fullName, email: SIGNER.email })

    const dump = await plainDump()
    expect(dump).toContain(campaign.title) // the dump is real and whole
    expect(dump).toContain('COPY public.signatures')
    for (const secret of SECRETS) expect(dump, `the dump contains ${secret}`).not.toMatch(secret)
  })

  it('the logs of the whole journey, at every level, hold none of them', async () => {
    const logs = await logsOf(async () => {
      await wholeJourney()
    })
    expect(logs.length).toBeGreaterThan(0)
    for (const secret of SECRETS) expect(logs, `the logs contain ${secret}`).not.toMatch(secret)
  })
})

describe('a supporter’s data on request', () => {
  it('export holds everything; erase leaves nothing of the person, keeps the counts, and a suppressed address stays suppressed', async () => {
    const campaign = await wholeJourney()
    await suppress(getDb(), { organisationId: String(campaign.organisation_id), email: SIGNER.email, reason: 'bounce' })
    await foldConfirmedSignatures()
    const countBefore = (await getDb().selectFrom('campaigns').select('signature_count').where('id', '=', campaign.id).executeTakeFirstOrThrow())
      .signature_count
    expect(countBefore).toBe(1)

    const exported = await collectSupporterData('zinaida.quixote@example.org')
    expect(exported.signatures).toMatchObject([
      {
        campaign: campaign.title,
        state: 'confirmed',
        fullName: SIGNER.fullName,
        email: SIGNER.email,
        postcode: SIGNER.postcode,
        country: 'RU',
        keepMeUpdated: true,
        showMyName: true,
      },
    ])
    expect(exported.suppressions).toMatchObject([{ reason: 'bounce' }])
    expect((await collectSupporterData(DONOR_EMAIL)).gifts).toMatchObject([{ amountMinor: 2500, name: DONOR_NAME, email: DONOR_EMAIL }])

    const erased = await eraseSupporterData('Zinaida.Quixote@example.org', null)
    expect(erased).toMatchObject({ signatures: 1, gifts: 0, suppressions: 1 })
    expect(erased.emails).toBeGreaterThanOrEqual(3) // confirmation, thanks, update
    expect(await eraseSupporterData(DONOR_EMAIL, null)).toMatchObject({ signatures: 0, gifts: 1, emails: 1 })

    // Nothing of either is left to find; the counts did not move; the bounce still stops mail.
    expect(await collectSupporterData(SIGNER.email)).toMatchObject({ signatures: [], gifts: [] })
    expect((await collectSupporterData(DONOR_EMAIL)).gifts).toEqual([])
    expect(await isSuppressed(String(campaign.organisation_id), 'zinaida.quixote+again@example.org')).toBe(true)
    await foldConfirmedSignatures()
    expect((await getDb().selectFrom('campaigns').select('signature_count').where('id', '=', campaign.id).executeTakeFirstOrThrow()).signature_count).toBe(
      countBefore,
    )
    const signature = await getDb().selectFrom('signatures').selectAll().executeTakeFirstOrThrow()
    expect(signature).toMatchObject({ full_name: '', email: '', postcode: null, ip_hash: null, state: 'confirmed', country: 'RU' })
    const emails = await getDb().selectFrom('email_messages').select(['recipient', 'html', 'text']).execute()
    expect(emails.every((e) => e.recipient === 'redacted' && e.html === null && e.text === null)).toBe(true)
    const gift = await getDb().selectFrom('donations').selectAll().executeTakeFirstOrThrow()
    expect(gift).toMatchObject({ donor_name: '', donor_email: '', donor_email_index: null, amount_minor: 2500 })
    const audit = await getDb().selectFrom('audit_events').select(['action', 'changes']).where('action', '=', 'supporter.erased').execute()
    expect(audit).toHaveLength(2)
    expect(JSON.stringify(audit)).not.toMatch(/quixot|zinaida/i)

    // And the dump again.
    const dump = await plainDump()
    for (const secret of SECRETS) expect(dump).not.toMatch(secret)
  })
})
