import crypto from 'node:crypto'
import { PDFParse } from 'pdf-parse'
import { describe, expect, it } from 'vitest'
import type { NewSignature } from '#db/types'
import { createAdmin, adminForm, type TestAdmin } from '../support/admin'
import { createCampaign, createSignature } from '../support/factories'
import { callRoute } from '../support/routes'
import {
  buildDeliveryPack,
  codeOfManifest,
  csvCell,
  findCampaignPack,
  formatCode,
  hashPackList,
  manifestOfPack,
  packManifest,
  scopeOf,
  type DeliveryPack,
} from '~/models/delivery-pack.server'
import { loader as csvLoader } from '~/routes/admin.campaigns.$campaignId.deliver_.$packId.csv'
import { loader as pdfLoader } from '~/routes/admin.campaigns.$campaignId.deliver_.$packId.pdf'
import { action as deliverAction, loader as deliverLoader } from '~/routes/admin.campaigns.$campaignId.deliver'
import { action as verifyAction, loader as verifyLoader } from '~/routes/verify'
import { countryName } from '~/utils/countries.server'
import { open } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'
import { translate } from '~/utils/i18n.server'

const anHourAgo = () => new Date(Date.now() - 3_600_000)

async function world() {
  const db = getDb()
  const owner = await createAdmin(db, { role: 'owner' })
  const campaign = await createCampaign(db, {
    organisation_id: owner.organisation.id,
    title: 'Free the river keepers',
    demand: 'Release the seven river keepers held since March.',
    target_name: 'Maria Example',
    target_role: 'Minister of Justice',
    translations: {
      ru: { title: 'Свободу хранителям реки', summary: 'Кратко.', demand: 'Освободите семерых хранителей реки.', target_name: 'Мария Пример' },
    },
  })
  const sign = (values: Omit<Partial<NewSignature>, 'campaign_id'>) =>
    createSignature(db, { campaign_id: campaign.id, state: 'confirmed', confirmed_at: anHourAgo(), ...values })
  await sign({ full_name: 'Ada Lovelace', country: 'GB', consent_show_name: true })
  await sign({ full_name: 'Фёдор Достоевский', country: 'RU', consent_show_name: true })
  await sign({ full_name: 'Hidden Hortensia', country: 'GB', consent_show_name: false })
  await sign({ full_name: 'Pending Percival', country: 'FR', consent_show_name: true, state: 'pending', confirmed_at: null })
  await sign({ full_name: 'Invalid Ivor', country: 'FR', consent_show_name: true, state: 'invalidated', confirmed_at: anHourAgo() })
  // Confirmed a moment ago: inside the cut-off margin, so the next pack's, not this one's.
  await sign({ full_name: 'Latecomer Lucinda', country: 'DE', consent_show_name: true, confirmed_at: new Date() })
  return { owner, campaign }
}

async function buildPack(admin: TestAdmin, campaignId: string, locale = 'en'): Promise<DeliveryPack> {
  const outcome = await callRoute(deliverAction, {
    url: `/admin/campaigns/${campaignId}/deliver`,
    method: 'POST',
    params: { campaignId },
    headers: admin.headers,
    body: adminForm(admin, { intent: 'build', locale }),
  })
  expect(outcome.status).toBe(302)
  const packId = /#pack-(\d+)$/.exec(outcome.headers.get('Location') ?? '')?.[1]
  expect(packId).toBeTruthy()
  return (await findCampaignPack(campaignId, packId))!
}

async function download(loader: typeof pdfLoader, admin: TestAdmin, campaignId: string, packId: string) {
  const request = new Request(`http://localhost:3000/admin/campaigns/${campaignId}/deliver/${packId}/x`, { headers: admin.headers })
  const response = (await loader({
    request,
    params: { campaignId, packId },
    context: { ip: '192.0.2.1', socketIp: '192.0.2.1', cspNonce: 'test' },
  })) as Response
  return { response, bytes: Buffer.from(await response.arrayBuffer()) }
}

async function pdfText(bytes: Buffer) {
  const parser = new PDFParse({ data: new Uint8Array(bytes) })
  try {
    return (await parser.getText()).text
  } finally {
    await parser.destroy()
  }
}

describe('delivery packs', () => {
  it('counts confirmed signatures up to the cut-off, and names only those who agreed', async () => {
    const { owner, campaign } = await world()
    const pack = await buildPack(owner, campaign.id)
    expect(pack).toMatchObject({ confirmedTotal: 3, namedCount: 2, countryCounts: { GB: 2, RU: 1 }, locale: 'en' })
    expect(pack.verificationCode).toMatch(/^[0-9a-f]{24}$/)
    expect(pack.cutOff.getTime()).toBeLessThanOrEqual(Date.now() - 59_000)
    const audit = await getDb().selectFrom('audit_events').select(['action', 'changes']).where('action', '=', 'delivery_pack.built').execute()
    expect(audit).toHaveLength(1)
    expect(JSON.stringify(audit[0]!.changes)).not.toContain('Ada')
  })

  it('prints the campaign, the counts, the code and the named signers into the PDF', async () => {
    const { owner, campaign } = await world()
    const pack = await buildPack(owner, campaign.id)
    const { response, bytes } = await download(pdfLoader, owner, campaign.id, pack.id)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('application/pdf')
    expect(response.headers.get('Content-Disposition')).toMatch(/^attachment; filename=".+\.pdf"$/)
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')
    const text = await pdfText(bytes)
    for (const expected of [
      'Free the river keepers',
      'Release the seven river keepers held since March.',
      'Maria Example, Minister of Justice',
      'Confirmed signatures: 3',
      `${countryName('GB', 'en')}: 2`,
      `${countryName('RU', 'en')}: 1`,
      formatCode(pack.verificationCode),
      `/verify?code=${formatCode(pack.verificationCode)}`,
      'Ada Lovelace',
      'Фёдор Достоевский',
      '1 more person signed without being named.',
    ]) {
      expect(text, expected).toContain(expected)
    }
    for (const absent of ['Hidden Hortensia', 'Pending Percival', 'Invalid Ivor', 'Latecomer Lucinda', '@example.org']) {
      expect(text, absent).not.toContain(absent)
    }
    const downloads = await getDb().selectFrom('audit_events').select('changes').where('action', '=', 'delivery_pack.downloaded').execute()
    expect(downloads.map((d) => d.changes)).toEqual([{ pack_id: pack.id, format: 'pdf' }])
  })

  it('prints a Russian pack in Russian, with the campaign’s Russian texts and country names', async () => {
    const { owner, campaign } = await world()
    const pack = await buildPack(owner, campaign.id, 'ru')
    const text = await pdfText((await download(pdfLoader, owner, campaign.id, pack.id)).bytes)
    for (const expected of [
      'Свободу хранителям реки',
      'Освободите семерых хранителей реки.',
      'Мария Пример',
      'Подтверждённых подписей: 3',
      `${countryName('RU', 'ru')}: 1`,
      'Фёдор Достоевский',
      'Ещё 1 человек подписал, не указав имени.',
    ]) {
      expect(text, expected).toContain(expected)
    }
  })

  it('streams the CSV of the same list: the very bytes the code covers, escaped for spreadsheets', async () => {
    const { owner, campaign } = await world()
    for (const full_name of ['=HYPERLINK("http://x")', 'Smith, John', 'Quote "Q" Person', '+44 Plus', '-minus', '@at', 'Line\nBreak']) {
      await createSignature(getDb(), {
        campaign_id: campaign.id,
        state: 'confirmed',
        confirmed_at: anHourAgo(),
        consent_show_name: true,
        full_name,
        country: 'GB',
      })
    }
    const pack = await buildPack(owner, campaign.id)
    const { response, bytes } = await download(csvLoader, owner, campaign.id, pack.id)
    expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('Content-Disposition')).toMatch(/^attachment; filename=".+\.csv"$/)
    const text = bytes.toString('utf8')
    expect(text).toBe(
      '\uFEFFname,country\r\n' +
        'Ada Lovelace,GB\r\n' +
        'Фёдор Достоевский,RU\r\n' +
        `"'=HYPERLINK(""http://x"")",GB\r\n` +
        '"Smith, John",GB\r\n' +
        '"Quote ""Q"" Person",GB\r\n' +
        "'+44 Plus,GB\r\n" +
        "'-minus,GB\r\n" +
        "'@at,GB\r\n" +
        '"Line\nBreak",GB\r\n',
    )
    // Anyone holding the CSV can recompute the code from it and the manifest's other lines.
    const listSha256 = crypto.createHash('sha256').update(bytes).digest('hex')
    expect(listSha256).toBe(pack.listSha256)
    expect(codeOfManifest(manifestOfPack(pack)!)).toBe(pack.verificationCode)
    expect(manifestOfPack(pack)).toBe(
      [
        'Chorus delivery pack v1',
        `campaign: ${campaign.id}`,
        `cut-off: ${pack.cutOff.toISOString()}`,
        'confirmed: 10',
        'named: 9',
        'countries: GB=9,RU=1',
        `list-sha256: ${listSha256}`,
        '',
      ].join('\n'),
    )
  })

  it('guards cells against formulas and quotes what needs quoting', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('=1+1')).toBe("'=1+1")
    expect(csvCell('\tTab')).toBe("'\tTab")
    expect(csvCell('a"b')).toBe('"a""b"')
    expect(csvCell('-,x')).toBe(`"'-,x"`)
  })

  it('keeps a code stable for the same list and changes it when the list changes', async () => {
    const { owner, campaign } = await world()
    const pack = await buildPack(owner, campaign.id)
    expect(await hashPackList(scopeOf(pack))).toEqual({ listSha256: pack.listSha256, namedCount: 2 })
    const facts = {
      campaignId: campaign.id,
      cutOff: pack.cutOff,
      confirmedTotal: 3,
      namedCount: 2,
      countryCounts: { RU: 1, GB: 2 },
      listSha256: pack.listSha256!,
    }
    expect(codeOfManifest(packManifest(facts))).toBe(pack.verificationCode)
    expect(codeOfManifest(packManifest({ ...facts, confirmedTotal: 4 }))).not.toBe(pack.verificationCode)
    expect(codeOfManifest(packManifest({ ...facts, countryCounts: { RU: 2, GB: 1 } }))).not.toBe(pack.verificationCode)

    // A signature invalidated after the pack was built: the list read again no longer matches.
    const rows = await getDb().selectFrom('signatures').select(['id', 'full_name']).execute()
    const ada = (await Promise.all(rows.map(async (r) => ({ id: r.id, name: await open(r.full_name) })))).find((r) => r.name === 'Ada Lovelace')!
    await getDb().updateTable('signatures').set({ state: 'invalidated' }).where('id', '=', ada.id).execute()
    expect((await hashPackList(scopeOf(pack))).listSha256).not.toBe(pack.listSha256)

    // A new signature makes a new pack with a new code.
    await createSignature(getDb(), {
      campaign_id: campaign.id,
      state: 'confirmed',
      confirmed_at: anHourAgo(),
      consent_show_name: true,
      full_name: 'Grace Hopper',
      country: 'US',
    })
    const next = await buildPack(owner, campaign.id)
    expect(next.id).not.toBe(pack.id)
    expect(next.verificationCode).not.toBe(pack.verificationCode)
    expect(next).toMatchObject({ confirmedTotal: 3, namedCount: 2, countryCounts: { GB: 1, RU: 1, US: 1 } })
  })

  it('builds the same list twice at once without failing: one pack per cut-off', async () => {
    const { owner, campaign } = await world()
    const [a, b] = await Promise.all([buildDeliveryPack(owner.context, campaign.id, 'en'), buildDeliveryPack(owner.context, campaign.id, 'en')])
    const sameSecond = a.cutOff.getTime() === b.cutOff.getTime()
    expect(a.id === b.id).toBe(sameSecond)
    expect(a.verificationCode === b.verificationCode).toBe(sameSecond)
    const packs = await getDb().selectFrom('delivery_packs').select('id').execute()
    expect(packs).toHaveLength(sameSecond ? 1 : 2)
  })

  it('lists packs and links their downloads on the Deliver page, and refuses a viewer', async () => {
    const { owner, campaign } = await world()
    const pack = await buildPack(owner, campaign.id)
    const page = await callRoute(deliverLoader, { url: `/admin/campaigns/${campaign.id}/deliver`, params: { campaignId: campaign.id }, headers: owner.headers })
    expect(page.status).toBe(200)
    expect(page.data.packs).toEqual([expect.objectContaining({ id: pack.id, confirmedTotal: 3, namedCount: 2, code: formatCode(pack.verificationCode) })])
    expect(page.data.locales).toEqual(['en', 'ru'])

    const viewer = await createAdmin(getDb(), { role: 'viewer', organisationId: owner.organisation.id })
    const refused = await callRoute(deliverLoader, {
      url: `/admin/campaigns/${campaign.id}/deliver`,
      params: { campaignId: campaign.id },
      headers: viewer.headers,
    })
    expect(refused.status).toBe(403)
    for (const loader of [pdfLoader, csvLoader]) {
      const outcome = await callRoute(loader, {
        url: `/admin/campaigns/${campaign.id}/deliver/${pack.id}/pdf`,
        params: { campaignId: campaign.id, packId: pack.id },
        headers: viewer.headers,
      })
      expect(outcome.status).toBe(403)
      expect(outcome.text).not.toContain('Ada')
    }
    const campaigner = await createAdmin(getDb(), { role: 'campaigner', organisationId: owner.organisation.id })
    expect((await download(csvLoader, campaigner, campaign.id, pack.id)).response.status).toBe(200)

    // Another campaign's pack through this campaign's URL, and another organisation: 404.
    const other = await createCampaign(getDb(), { organisation_id: owner.organisation.id })
    const wrongCampaign = await callRoute(csvLoader, { url: '/x', params: { campaignId: other.id, packId: pack.id }, headers: owner.headers })
    expect(wrongCampaign.status).toBe(404)
    const stranger = await createAdmin(getDb(), { role: 'owner' })
    const strangers = await callRoute(pdfLoader, { url: '/x', params: { campaignId: campaign.id, packId: pack.id }, headers: stranger.headers })
    expect(strangers.status).toBe(404)
  })
})

describe('the consent to be named', () => {
  it('says, in the standard wording, that the name goes into the delivered list and to the systems the privacy notice lists, under a new consent version', async () => {
    expect(translate('en', 'sign.consentShowName')).toMatch(/full name and country in the list of signatures delivered to the people this petition addresses/)
    expect(translate('ru', 'sign.consentShowName')).toMatch(/список подписей, который передаётся адресатам петиции/)
    expect(translate('en', 'sign.consentShowName')).toMatch(/systems listed in its privacy notice/)
    expect(translate('ru', 'sign.consentShowName')).toMatch(/системам организации, перечисленным в её политике конфиденциальности/)
    const campaign = await createCampaign(getDb())
    expect(campaign.consent_version).toBe('2026-12-v3')
  })
})

describe('/verify', () => {
  it('says whether a code matches a pack, with counts and no names', async () => {
    const { owner, campaign } = await world()
    const pack = await buildPack(owner, campaign.id)
    const formatted = formatCode(pack.verificationCode)
    for (const typed of [formatted, pack.verificationCode, ` ${formatted.toLowerCase().replaceAll('-', ' ')} `]) {
      const page = await callRoute(verifyLoader, { url: `/verify?code=${encodeURIComponent(typed)}` })
      expect(page.status, typed).toBe(200)
      expect(page.data.pack).toMatchObject({
        code: formatted,
        confirmedTotal: 3,
        namedCount: 2,
        campaign: { title: 'Free the river keepers', slug: campaign.slug },
        listSha256: pack.listSha256,
      })
      expect(page.data.pack.manifest).toBe(manifestOfPack(pack))
      const shown = JSON.stringify(page.data)
      for (const name of ['Ada', 'Достоевский', 'Hortensia', '@example.org']) expect(shown).not.toContain(name)
    }
    const unknown = await callRoute(verifyLoader, { url: `/verify?code=${'0'.repeat(24)}` })
    expect(unknown.status).toBe(404)
    expect(unknown.data).toMatchObject({ pack: null, error: 'verify.notFound' })
    const malformed = await callRoute(verifyLoader, { url: '/verify?code=not-a-code' })
    expect(malformed.status).toBe(400)
    expect(malformed.data.error).toBe('verify.error.format')
    const empty = await callRoute(verifyLoader, { url: '/verify' })
    expect(empty.status).toBe(200)
    expect(empty.data).toMatchObject({ pack: null, error: null })
  })

  it('shows the campaign title in the reader’s language', async () => {
    const { owner, campaign } = await world()
    const pack = await buildPack(owner, campaign.id)
    const page = await callRoute(verifyLoader, { url: `/verify?code=${pack.verificationCode}`, headers: { 'Accept-Language': 'ru' } })
    expect(page.data.pack.campaign.title).toBe('Свободу хранителям реки')
  })

  it('checks an uploaded CSV against the pack', async () => {
    const { owner, campaign } = await world()
    const pack = await buildPack(owner, campaign.id)
    const { bytes } = await download(csvLoader, owner, campaign.id, pack.id)
    const upload = async (file: Buffer) => {
      const body = new FormData()
      body.set('code', formatCode(pack.verificationCode))
      body.set('csv', new File([new Uint8Array(file)], 'pack.csv', { type: 'text/csv' }))
      return await callRoute(verifyAction, { url: '/verify', method: 'POST', body })
    }
    const same = await upload(bytes)
    expect(same.status).toBe(200)
    expect(same.data.match).toMatchObject({ matches: true, sha256: pack.listSha256 })
    const tampered = await upload(Buffer.from(bytes.toString('utf8').replace('Ada Lovelace', 'Ada Lovelaec')))
    expect(tampered.data.match.matches).toBe(false)
    const none = new FormData()
    none.set('code', pack.verificationCode)
    const missing = await callRoute(verifyAction, { url: '/verify', method: 'POST', body: none })
    expect(missing.status).toBe(400)
    expect(missing.data.error).toBe('verify.error.noFile')
  })

  it('rate-limits checks per connection', async () => {
    let last = 0
    for (let i = 0; i < 61; i++) last = (await callRoute(verifyLoader, { url: `/verify?code=${'1'.repeat(24)}`, ip: '198.51.100.7' })).status
    expect(last).toBe(429)
    expect((await callRoute(verifyLoader, { url: `/verify?code=${'1'.repeat(24)}`, ip: '198.51.100.8' })).status).toBe(404)
  })
})
