import { describe, expect, it } from 'vitest'
import { renderEmail } from '#emails/render'

const appUrl = 'https://chorus.example.org'
const CYRILLIC = /[А-Яа-яЁё]/

describe('workspace emails', () => {
  for (const locale of ['en', 'ru'] as const) {
    it(`the sign-in link email, in ${locale}`, async () => {
      const signInUrl = `${appUrl}/admin/sign-in/tok_abc?lang=${locale}`
      const email = await renderEmail('sign-in-link', { locale, appUrl, signInUrl })
      expect(email.html).toContain(`href="${signInUrl}"`)
      expect(email.text).toContain(signInUrl)
      expect(email.html).toContain(`lang="${locale}"`)
      for (const part of [email.subject, email.html, email.text]) {
        expect(part).not.toContain('{')
        expect(part).not.toMatch(/admin\.email\./)
      }
      // Not the signers' footer: this address was typed on the sign-in page.
      expect(email.text).not.toMatch(/sign a petition|подписи петиции/)
      if (locale === 'ru') expect(email.subject).toMatch(CYRILLIC)
      else expect(email.subject).toBe('Your link to sign in to Chorus')
    })

    it(`the invitation email, in ${locale}`, async () => {
      const acceptUrl = `${appUrl}/admin/invitations/tok_def?lang=${locale}`
      const email = await renderEmail('invitation', {
        locale,
        appUrl,
        organisationName: 'Friends of the Park',
        inviterName: 'Olga',
        role: 'campaigner',
        acceptUrl,
      })
      expect(email.html).toContain(`href="${acceptUrl}"`)
      expect(email.text).toContain(acceptUrl)
      expect(email.subject).toContain('Friends of the Park')
      expect(email.text).toContain(locale === 'ru' ? 'Кампейнер' : 'Campaigner')
      expect(email.text).toContain('Olga')
      for (const part of [email.subject, email.html, email.text]) expect(part).not.toContain('{')
      if (locale === 'ru') expect(email.text.replace(/Friends of the Park|Olga/g, '')).toMatch(CYRILLIC)
    })
  }
})
