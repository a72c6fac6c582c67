import { describe, expect, it } from 'vitest'
import { confirmSignature, signCampaign } from '~/models/signature.server'
import { action as requestAction, loader as requestLoader } from '~/routes/my-data._index'
import { action as dataAction, loader as dataLoader } from '~/routes/my-data.$token'
import { getDb } from '~/utils/db.server'
import { createCampaign } from '../support/factories'
import { openEmailRow, queuedEmails, runDueJobs } from '../support/jobs'
import { callRoute, form } from '../support/routes'

// /my-data: see, download and erase one's own data without an account.

const ask = (email: string, ip = '192.0.2.30') => callRoute(requestAction, { url: '/my-data', method: 'POST', body: form({ email }), ip })
const linkEmails = async () =>
  Promise.all((await getDb().selectFrom('email_messages').selectAll().where('template', '=', 'my-data-link').execute()).map(openEmailRow))

async function signedAndConfirmed(email: string) {
  const campaign = await createCampaign(getDb())
  await signCampaign(
    { id: campaign.id, consentVersion: 'v' },
    { fullName: 'Mira Own', email, country: 'GB', postcode: 'MY1 2DA' },
    { ip: '198.51.100.3', userAgent: 't', locale: 'en' },
  )
  const token = (await queuedEmails('signature-confirmation')).at(-1)!.payload.token as string
  await confirmSignature(token)
  return campaign
}

describe('/my-data', () => {
  it('answers the same whether or not the address is known, and emails a link only to a known one', async () => {
    await signedAndConfirmed('mira.own@example.org')
    const unknown = await ask('nobody.here@example.org')
    const known = await ask('Mira.Own@example.org')
    expect([unknown.status, known.status]).toEqual([302, 302])
    expect(unknown.headers.get('Location')).toBe(known.headers.get('Location'))
    expect((await callRoute(requestLoader, { url: known.headers.get('Location')! })).data).toMatchObject({ sent: true })
    await runDueJobs()
    const emails = await linkEmails()
    expect(emails.map((e) => e.recipient)).toEqual(['Mira.Own@example.org'])
    expect(emails[0]!.html).toMatch(/http:\/\/localhost:3000\/my-data\/[A-Za-z0-9_-]{43}\?lang=en/)
    expect((await ask('not an address')).status).toBe(400)
  })

  it('is rate-limited like signing', async () => {
    process.env.SIGN_RATE_LIMIT = '2'
    const { resetEnv } = await import('~/utils/env.server')
    resetEnv()
    try {
      expect((await ask('a@example.org', '192.0.2.77')).status).toBe(302)
      expect((await ask('b@example.org', '192.0.2.77')).status).toBe(302)
      const third = await ask('c@example.org', '192.0.2.77')
      expect(third.status).toBe(429)
      expect(third.headers.get('Retry-After')).toMatch(/^\d+$/)
    } finally {
      delete process.env.SIGN_RATE_LIMIT
      resetEnv()
    }
  })

  it('the link lists the data, downloads it as JSON, and erases it once: the link is then spent', async () => {
    const campaign = await signedAndConfirmed('mira.own@example.org')
    await ask('mira.own@example.org')
    await runDueJobs()
    const [email] = await linkEmails()
    const token = /\/my-data\/([A-Za-z0-9_-]{43})/.exec(email!.html!)![1]!
    const page = await callRoute(dataLoader, { url: `/my-data/${token}`, params: { token } })
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({
      email: 'mira.own@example.org',
      data: { signatures: [{ campaign: campaign.title, fullName: 'Mira Own', postcode: 'MY1 2DA', keepMeUpdated: false }] },
    })

    const download = await callRoute(dataAction, { url: `/my-data/${token}`, method: 'POST', body: form({ intent: 'download' }), params: { token } })
    expect(download.headers.get('Content-Disposition')).toBe('attachment; filename="my-data.json"')
    expect(download.data).toMatchObject({ email: 'mira.own@example.org', signatures: [{ fullName: 'Mira Own' }] })

    const unconfirmed = await callRoute(dataAction, { url: `/my-data/${token}`, method: 'POST', body: form({ intent: 'erase' }), params: { token } })
    expect(unconfirmed.status).toBe(400)
    const erased = await callRoute(dataAction, { url: `/my-data/${token}`, method: 'POST', body: form({ intent: 'erase', confirm: 'yes' }), params: { token } })
    expect(erased.status).toBe(302)
    expect(erased.headers.get('Location')).toBe('/my-data?erased=1&lang=en')
    expect((await callRoute(requestLoader, { url: '/my-data?erased=1&lang=en' })).data).toMatchObject({ erased: true })
    const signature = await getDb().selectFrom('signatures').selectAll().executeTakeFirstOrThrow()
    expect(signature).toMatchObject({ full_name: '', email: '', postcode: null, state: 'confirmed' })

    const again = await callRoute(dataLoader, { url: `/my-data/${token}`, params: { token } })
    expect(again.status).toBe(302)
    expect(again.headers.get('Location')).toBe('/my-data?expired=1&lang=en')
    const twice = await callRoute(dataAction, { url: `/my-data/${token}`, method: 'POST', body: form({ intent: 'erase', confirm: 'yes' }), params: { token } })
    expect(twice.status).toBe(302)
  })
})
