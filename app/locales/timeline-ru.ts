import type { timelineEn } from './timeline-en'

export const timelineRu: Record<keyof typeof timelineEn, string> & Record<string, string> = {
  'admin.campaignNav.responses': 'Ответы',
} as const
