import { createElement } from 'react'
import { render } from '@react-email/render'
import { describe, it, expect } from 'vitest'
import { RECIPIENT_SLOTS, fillRecipientSlots, renderEmail, type EmailProps, type EmailTemplateName, type RenderedEmail } from './render'
import SignatureConfirmationEmail from './signature-confirmation'
import SignatureThanksEmail from './signature-thanks'
import DonationReceiptEmail from './donation-receipt'
import CampaignUpdateEmail from './campaign-update'

const LOCALES = ['en', 'ru'] as const
type TestLocale = (typeof LOCALES)[number]

const campaignUrl = 'https://chorus.example.org/campaigns/save-the-park'
const confirmUrl = 'https://chorus.example.org/confirm/tok_3f9a1c77b2'
const appUrl = 'https://chorus.example.org'

function base(locale: TestLocale) {
  return {
    locale,
    campaignTitle: locale === 'ru' ? 'Сохраним городской парк' : 'Save the city park',
    campaignUrl,
    organisationName: 'Friends of the Park',
    appUrl,
  }
}

function propsFor<T extends EmailTemplateName>(name: T, locale: TestLocale): EmailProps[T] {
  const all: EmailProps = {
    'signature-confirmation': { ...base(locale), signerName: 'Alex', confirmUrl },
    'already-signed': { ...base(locale), signerName: 'Alex' },
    'signature-thanks': {
      ...base(locale),
      signerName: 'Alex',
      signatureCount: 1234,
      shareLinks: [
        { label: 'Share on Facebook', href: 'https://www.facebook.com/sharer/sharer.php?u=x' },
        { label: 'Share on Telegram', href: 'https://t.me/share/url?url=x' },
      ],
      donateUrl: 'https://chorus.example.org/donate',
    },
    // Admin emails link no campaign: tests/integration/admin-emails.test.ts checks them.
    'sign-in-link': { locale, appUrl, signInUrl: `${appUrl}/admin/sign-in/tok` },
    'my-data-link': { locale, appUrl, linkUrl: `${appUrl}/my-data/tok` },
    invitation: { locale, appUrl, organisationName: 'Friends of the Park', inviterName: 'Alex', role: 'viewer', acceptUrl: `${appUrl}/admin/invitations/tok` },
    'donation-receipt': {
      ...base(locale),
      donorName: 'Alex',
      amount: locale === 'ru' ? '25,00 €' : '€25.00',
      date: locale === 'ru' ? '25 ноября 2026 г.' : '25 November 2026',
      reference: 'D-42',
      frequency: 'monthly',
      manageUrl: `${appUrl}/donations/42/manage?sig=abc`,
    },
    'campaign-update': { ...base(locale), subject: 'News', bodyHtml: '<p>News.</p>', unsubscribeUrl: `${appUrl}/unsubscribe/1.x` },
    'sender-verification': {
      locale,
      appUrl,
      organisationName: 'Friends of the Park',
      senderEmail: 'news@park.example',
      confirmUrl: `${appUrl}/admin/organisation/sender/tok`,
    },
  }
  return all[name]
}

const TEMPLATES: EmailTemplateName[] = ['signature-confirmation', 'already-signed', 'signature-thanks', 'donation-receipt']
const CYRILLIC = /[А-Яа-яЁё]/

function expectNoPlaceholders(email: RenderedEmail) {
  for (const part of [email.subject, email.html, email.text]) {
    expect(part).not.toMatch(/\{\w*\}?/)
    expect(part).not.toContain('{')
  }
}

describe('renderEmail', () => {
  for (const name of TEMPLATES) {
    describe(name, () => {
      it('renders in English and Russian with translated subjects', async () => {
        const en = await renderEmail(name, propsFor(name, 'en'))
        const ru = await renderEmail(name, propsFor(name, 'ru'))

        for (const email of [en, ru]) {
          expect(email.subject.trim()).not.toBe('')
          expect(email.subject).not.toMatch(/^email\./)
          expect(email.html).toContain(`href="${campaignUrl}"`)
          expect(email.text).toContain(campaignUrl)
          expectNoPlaceholders(email)
        }

        expect(en.subject).toContain('Save the city park')
        expect(ru.subject).toContain('Сохраним городской парк')
        expect(ru.subject).not.toBe(en.subject)
        expect(ru.subject.replace('Сохраним городской парк', '')).toMatch(CYRILLIC)
        expect(en.html).toContain('lang="en"')
        expect(ru.html).toContain('lang="ru"')
        expect(ru.html).not.toContain('lang="en"')
        expect(ru.text).toMatch(CYRILLIC)
        // No raw message keys leak into the output.
        expect(en.html).not.toMatch(/email\.[a-zA-Z]+\./)
        expect(ru.html).not.toMatch(/email\.[a-zA-Z]+\./)
      })
    })
  }

  it('puts the confirmation link in both html and text', async () => {
    for (const locale of LOCALES) {
      const email = await renderEmail('signature-confirmation', propsFor('signature-confirmation', locale))
      expect(email.html).toContain(`href="${confirmUrl}"`)
      expect(email.text).toContain(confirmUrl)
    }
    const en = await renderEmail('signature-confirmation', propsFor('signature-confirmation', 'en'))
    expect(en.html).toContain('Confirm my signature')
    expect(en.subject).toContain('Confirm your signature')
  })

  it('lists share links and the optional donation link in the thank-you email', async () => {
    const props = propsFor('signature-thanks', 'en')
    const withDonate = await renderEmail('signature-thanks', props)
    for (const link of props.shareLinks) {
      expect(withDonate.html).toContain(link.label)
      expect(withDonate.text).toContain(link.label)
    }
    expect(withDonate.html).toContain('href="https://chorus.example.org/donate"')
    expect(withDonate.html).toContain('1,234 people have signed')

    const withoutDonate = await renderEmail('signature-thanks', { ...props, donateUrl: undefined })
    expect(withoutDonate.html).not.toContain('/donate')
  })

  it('uses plural forms for the signature count', async () => {
    const countLine = async (locale: TestLocale, signatureCount: number) => {
      const { text } = await renderEmail('signature-thanks', { ...propsFor('signature-thanks', locale), signatureCount })
      const line = text.split('\n').find((l) => l.includes(String(signatureCount)) && /sign|подпис/i.test(l))
      expect(line, `count line for ${locale} ${signatureCount}`).toBeDefined()
      return line!.trim()
    }

    expect(await countLine('en', 1)).toBe('So far, 1 person has signed.')
    expect(await countLine('en', 3)).toBe('So far, 3 people have signed.')

    const one = await countLine('ru', 1)
    const few = await countLine('ru', 3)
    const many = await countLine('ru', 5)
    expect(one).toBe('Петицию уже подписал 1 человек.')
    expect(few).toBe('Петицию уже подписали 3 человека.')
    expect(many).toBe('Петицию уже подписали 5 человек.')
    const forms = [one, few, many].map((line) => line.replace(/\d+/, 'N'))
    expect(new Set(forms).size).toBe(3)
  })

  it('does not substitute placeholders inside user-supplied values', async () => {
    const email = await renderEmail('already-signed', { ...propsFor('already-signed', 'en'), campaignTitle: 'Stop {title} now' })
    expect(email.subject).toBe('You have already signed “Stop {title} now”')
  })

  it("dresses an organisation's emails in its logo, brand colour and contact address, with no tracking", async () => {
    const brand = { logoUrl: `${appUrl}/media/organisation/7/${'a'.repeat(64)}`, colour: '#7c2d12', contactEmail: 'hello@park.example' }
    for (const name of [
      'signature-confirmation',
      'signature-thanks',
      'already-signed',
      'donation-receipt',
      'campaign-update',
      'invitation',
      'sender-verification',
    ] as const) {
      const email = await renderEmail(name, { ...propsFor(name, 'en'), brand } as EmailProps[typeof name])
      expect(email.html, name).toContain(`src="${brand.logoUrl}"`)
      expect(email.html, name).toContain('href="mailto:hello@park.example"')
      expect(email.text, name).toContain('hello@park.example')
      // The only image is the logo, the same for every recipient; links are the real addresses.
      expect(email.html.match(/<img /g)?.length, name).toBe(1)
      expect(email.html, name).not.toMatch(/utm_|\/track|\/click|\/open\b/)
    }
    const confirm = await renderEmail('signature-confirmation', { ...propsFor('signature-confirmation', 'en'), brand })
    expect(confirm.html).toMatch(/background-color:#7c2d12/)
    const plain = await renderEmail('signature-confirmation', propsFor('signature-confirmation', 'en'))
    expect(plain.html).not.toContain('<img ')
    expect(plain.html).not.toContain('#7c2d12')
    expect(plain.html).toMatch(/background-color:#1d4ed8/)
  })

  it("gives the same document and plain text as react-email's own render, from one render", async () => {
    for (const locale of LOCALES) {
      const cases = [
        ['signature-confirmation', createElement(SignatureConfirmationEmail, propsFor('signature-confirmation', locale))],
        ['signature-thanks', createElement(SignatureThanksEmail, propsFor('signature-thanks', locale))],
        ['donation-receipt', createElement(DonationReceiptEmail, propsFor('donation-receipt', locale))],
        ['campaign-update', createElement(CampaignUpdateEmail, propsFor('campaign-update', locale))],
      ] as const
      for (const [name, element] of cases) {
        const email = await renderEmail(name, propsFor(name, locale) as never)
        expect(email.text.length, name).toBeGreaterThan(40)
        expect(email.text, `${name} (${locale})`).toBe(await render(element, { plainText: true }))
        // The same document as react-email's own render, without the comments its streaming puts in
        // (around its Suspense boundary, between adjacent text).
        const reactEmail = (await render(element))
          .replace('<!--$-->', '')
          .replace(/<!--\/\$-->$/, '')
          .replaceAll('<!-- -->', '')
        expect(email.html, `${name} (${locale})`).toBe(reactEmail)
      }
    }
  })

  describe('fillRecipientSlots', () => {
    const names = ['Alex', '  Ada  Lovelace ', 'Tom & "Jerry" <b>O\'Neil</b>', 'Зелимхан Бакаев', 'Line\nbreak\u200band\ttab', 'Nbsp\u00a0name']
    const token = 'tok_3F9a-1c77b2'

    it('gives for each recipient exactly what rendering for them gives, in both languages', async () => {
      for (const locale of LOCALES) {
        const confirmation = propsFor('signature-confirmation', locale)
        const already = propsFor('already-signed', locale)
        const layouts = {
          confirmation: await renderEmail('signature-confirmation', {
            ...confirmation,
            signerName: RECIPIENT_SLOTS.name,
            confirmUrl: `${appUrl}/confirm/${RECIPIENT_SLOTS.token}?lang=${locale}`,
          }),
          already: await renderEmail('already-signed', { ...already, signerName: RECIPIENT_SLOTS.name }),
        }
        for (const name of names) {
          const direct = await renderEmail('signature-confirmation', {
            ...confirmation,
            signerName: name,
            confirmUrl: `${appUrl}/confirm/${token}?lang=${locale}`,
          })
          expect(fillRecipientSlots(layouts.confirmation, { name, token }), `${JSON.stringify(name)} (${locale})`).toEqual(direct)
          expect(fillRecipientSlots(layouts.already, { name }), `${JSON.stringify(name)} (${locale})`).toEqual(
            await renderEmail('already-signed', { ...already, signerName: name }),
          )
        }
      }
    })

    it('leaves to a full render what it cannot fill: an empty name, a token that is not URL-safe', async () => {
      const layout = await renderEmail('already-signed', { ...propsFor('already-signed', 'en'), signerName: RECIPIENT_SLOTS.name })
      expect(fillRecipientSlots(layout, { name: '   ' })).toBeNull()
      expect(fillRecipientSlots(layout, { name: 'Alex', token: 'a"b' })).toBeNull()
      expect(fillRecipientSlots(layout, { name: 'Alex', token: 'x'.repeat(201) })).toBeNull()
    })
  })
})
