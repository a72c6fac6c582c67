import { describe, expect, it } from 'vitest'
import { adminForm, createAdmin } from '../support/admin'
import { createCampaign, uniqueEmail } from '../support/factories'
import { fakeResendSuite } from '../support/fake-resend-suite'
import { queuedJobs, runDueJobs, openEmailRow } from '../support/jobs'
import { callRoute } from '../support/routes'
import { signCampaign } from '~/models/signature.server'
import { action, loader } from '~/routes/admin.organisation'
import { action as confirmAction, loader as confirmLoader } from '~/routes/admin.organisation_.sender.$token'
import { loader as logoLoader } from '~/routes/media.organisation.$organisationId.$hash'
import { loader as campaignLoader } from '~/routes/campaigns.$slug'
import { getDb } from '~/utils/db.server'
import { emailFrom } from '~/utils/email-sender.server'

const URL_ = '/admin/organisation'
// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')

function multipart(admin: { csrfToken: string }, values: Record<string, string>, logo?: Buffer) {
  const body = new FormData()
  body.set('csrf', admin.csrfToken)
  body.set('intent', 'save')
  for (const [k, v] of Object.entries(values)) body.set(k, v)
  if (logo) body.set('logo', new File([new Uint8Array(logo)], 'logo.png', { type: 'image/png' }))
  return body
}

const save = (who: { headers: Record<string, string>; csrfToken: string }, values: Record<string, string>, logo?: Buffer) =>
  callRoute(action, { url: URL_, method: 'POST', headers: who.headers, body: multipart(who, values, logo) })

async function organisationRow(id: string) {
  return await getDb().selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

describe("the organisation's identity", () => {
  it('lets an owner set name, logo, colour, website, contact and sender name, and audits it', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const response = await save(
      owner,
      {
        name: 'Friends of the Park',
        brandColour: '#7C2D12',
        websiteUrl: 'https://park.example/',
        contactEmail: 'hello@park.example',
        senderName: 'Park Friends',
      },
      PNG,
    )
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/admin/organisation?done=saved')
    const row = await organisationRow(owner.organisation.id)
    expect(row).toMatchObject({
      name: 'Friends of the Park',
      brand_colour: '#7c2d12',
      website_url: 'https://park.example/',
      contact_email: 'hello@park.example',
      sender_name: 'Park Friends',
      logo_content_type: 'image/png',
      logo_width: 1,
      logo_height: 1,
      sender_email: null,
    })
    const logo = await callRoute(logoLoader, { url: '/', params: { organisationId: owner.organisation.id, hash: row.logo_sha256! } })
    expect(logo.status).toBe(200)
    expect(logo.headers.get('Content-Type')).toBe('image/png')
    const wrongHash = await callRoute(logoLoader, { url: '/', params: { organisationId: owner.organisation.id, hash: 'a'.repeat(64) } })
    expect(wrongHash.status).toBe(404)

    const audit = await getDb().selectFrom('audit_events').selectAll().where('action', '=', 'organisation.identity_updated').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.changes).toMatchObject({ brand_colour: { from: null, to: '#7c2d12' }, logo: { from: null, to: 'set' } })

    const page = await callRoute(loader, { url: URL_, headers: owner.headers })
    expect(page.data.organisation.from).toBe('"Park Friends via Chorus" <campaigns@chorus.localhost>')
  })

  it('refuses a brand colour too light for white text, with a clear message, and bad addresses', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const response = await save(owner, { name: 'X', brandColour: '#ffd700', websiteUrl: 'javascript:alert(1)', contactEmail: 'nope' })
    expect(response.status).toBe(400)
    expect(response.data.result.error).toMatchObject({
      brandColour: ['reach.org.error.contrast'],
      websiteUrl: ['reach.org.error.website'],
      contactEmail: ['reach.org.error.email'],
    })
    expect((await save(owner, { name: 'X', brandColour: 'blue' })).data.result.error).toMatchObject({ brandColour: ['reach.org.error.colour'] })
    expect((await organisationRow(owner.organisation.id)).brand_colour).toBeNull()
  })

  it('is for owners only', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    for (const role of ['campaigner', 'viewer'] as const) {
      const member = await createAdmin(getDb(), { role, organisationId: owner.organisation.id })
      expect((await callRoute(loader, { url: URL_, headers: member.headers })).status).toBe(403)
      expect((await save(member, { name: 'Hijacked' })).status).toBe(403)
    }
    const noCsrf = await callRoute(action, {
      url: URL_,
      method: 'POST',
      headers: owner.headers,
      body: adminForm({ csrfToken: 'x' }, { intent: 'save', name: 'Y' }),
    })
    expect(noCsrf.status).toBe(403)
    expect((await organisationRow(owner.organisation.id)).name).not.toBe('Hijacked')
  })

  it('uses its own sender address only once the mailbox confirms it', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const response = await save(owner, { name: 'Park', senderEmail: 'News@Park.example' })
    expect(response.headers.get('Location')).toBe('/admin/organisation?done=verification-sent')
    let row = await organisationRow(owner.organisation.id)
    expect(row).toMatchObject({ sender_email: 'news@park.example', sender_email_verified: false })
    expect(emailFrom(row)).toBe('"Park via Chorus" <campaigns@chorus.localhost>')

    const [job] = await queuedJobs('send-sender-verification')
    const token = job!.payload.token as string
    await runDueJobs()
    const [message] = await Promise.all(
      (await getDb().selectFrom('email_messages').selectAll().where('template', '=', 'sender-verification').execute()).map(openEmailRow),
    )
    expect(message).toMatchObject({ recipient: 'news@park.example', sender: '"Park via Chorus" <campaigns@chorus.localhost>' })
    expect(message!.text).toContain(`/admin/organisation/sender/${token}`)

    // A GET (a mail scanner) confirms nothing.
    const shown = await callRoute(confirmLoader, { url: '/', params: { token } })
    expect(shown.status).toBe(200)
    expect((await organisationRow(owner.organisation.id)).sender_email_verified).toBe(false)
    expect((await callRoute(confirmAction, { url: '/', method: 'POST', params: { token: 'x'.repeat(43) } })).status).toBe(410)

    const confirmed = await callRoute(confirmAction, { url: '/', method: 'POST', params: { token } })
    expect(confirmed.status).toBe(200)
    row = await organisationRow(owner.organisation.id)
    expect(row.sender_email_verified).toBe(true)
    expect(emailFrom(row)).toBe('"Park" <news@park.example>')
    // Used once only.
    expect((await callRoute(confirmAction, { url: '/', method: 'POST', params: { token } })).status).toBe(410)

    // Changing the address starts over.
    await save(owner, { name: 'Park', senderEmail: 'other@park.example' })
    row = await organisationRow(owner.organisation.id)
    expect(row).toMatchObject({ sender_email: 'other@park.example', sender_email_verified: false })
  })

  it('quotes display names so a name cannot inject headers', () => {
    expect(emailFrom({ name: 'Evil"\r\nBcc: x@y', sender_name: null, sender_email: null, sender_email_verified: false })).toBe(
      '"Evil\\" Bcc: x@y via Chorus" <campaigns@chorus.localhost>',
    )
    expect(emailFrom(null)).toBe('Chorus <campaigns@chorus.localhost>')
  })

  it('shows who runs a campaign on its page', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    await save(owner, { name: 'Friends of the Park', websiteUrl: 'https://park.example/' }, PNG)
    const campaign = await createCampaign(getDb(), { organisation_id: owner.organisation.id, status: 'live' })
    const page = await callRoute(campaignLoader, { url: `/campaigns/${campaign.slug}`, params: { slug: campaign.slug } })
    expect(page.data.campaign.organisation).toMatchObject({ name: 'Friends of the Park', websiteUrl: 'https://park.example/' })
    expect(page.data.campaign.organisation.logo.url).toMatch(new RegExp(`^/media/organisation/${owner.organisation.id}/[0-9a-f]{64}$`))
  })
})

describe('every email comes from the organisation, dressed in its brand', () => {
  const fake = fakeResendSuite()

  it('sends the confirmation From "<org> via Chorus", with logo, colour and contact address', async () => {
    fake.use({ EMAIL_FROM: 'Chorus <campaigns@example.org>' })
    const resend = fake.resend
    const owner = await createAdmin(getDb(), { role: 'owner' })
    await save(owner, { name: 'Friends of the Park', brandColour: '#7c2d12', contactEmail: 'hello@park.example' }, PNG)
    const campaign = await createCampaign(getDb(), { organisation_id: owner.organisation.id, status: 'live' })
    const email = uniqueEmail()
    await signCampaign(
      { id: campaign.id, consentVersion: 'v1' },
      { fullName: 'Ada', email, country: 'GB' },
      { ip: '198.51.100.9', userAgent: 't', locale: 'en' },
    )
    await runDueJobs()
    // Through the outbox's batch endpoint, like every email.
    const [sent] = resend.batchEmails
    expect(resend.batchEmails).toHaveLength(1)
    expect(sent!.from).toBe('"Friends of the Park via Chorus" <campaigns@example.org>')
    expect(sent!.html).toMatch(/background-color:#7c2d12/)
    expect(sent!.html).toContain('/media/organisation/')
    expect(sent!.text).toContain('hello@park.example')
    // No tracking: every link and image goes straight to our own pages (no redirector, no
    // pixel from elsewhere), and no image is a 1×1 beacon.
    const urls = [...sent!.html.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]!)
    expect(urls.length).toBeGreaterThan(0)
    for (const url of urls) expect(url).toMatch(/^(http:\/\/localhost:3000\/|mailto:)/)
    expect(sent!.html).not.toMatch(/<img\b[^>]*\b(?:width|height)="1"/)
  })
})
