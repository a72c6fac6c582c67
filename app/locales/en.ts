import { emailsEn } from './emails-en'

// The English catalogue is the source of truth: every other locale must have every key.
export const en = {
  ...emailsEn,
  'site.name': 'Chorus',
} as const

export type MessageKey = keyof typeof en
