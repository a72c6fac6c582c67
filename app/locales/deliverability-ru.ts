import type { deliverabilityEn } from './deliverability-en'

export const deliverabilityRu: Record<keyof typeof deliverabilityEn, string> & Record<string, string> = {
  'admin.nav.suppressions': 'Блокировки',
} as const
