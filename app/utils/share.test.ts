import { describe, expect, it } from 'vitest'
import { makeTranslator } from './i18n.server'
import { shareLinks } from './share'

describe('shareLinks', () => {
  it('are plain links carrying the encoded campaign URL, labelled in the reader’s language', () => {
    const links = shareLinks('https://act.example.org/campaigns/a b', 'Title & more', makeTranslator('ru'))
    expect(links.map((l) => l.network)).toEqual(['email', 'whatsapp', 'telegram', 'x', 'facebook', 'vk'])
    for (const link of links) {
      expect(link.href).toMatch(/^(https:\/\/|mailto:)/)
      expect(link.href).toContain(encodeURIComponent('https://act.example.org/campaigns/a b'))
    }
    expect(links.find((l) => l.network === 'vk')!.label).toBe(makeTranslator('ru')('share.vk'))
  })
})
