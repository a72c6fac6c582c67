import type { deliveryEn } from './delivery-en'

export const deliveryRu: Record<keyof typeof deliveryEn, string> & Record<string, string> = {
  'admin.campaignNav.deliver': 'Передача',
} as const
