import type { updatesEn } from './updates-en'

export const updatesRu: Record<keyof typeof updatesEn, string> & Record<string, string> = {
  'admin.campaignNav.updates': 'Новости',
} as const
