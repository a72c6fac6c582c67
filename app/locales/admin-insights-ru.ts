import type { adminInsightsEn } from './admin-insights-en'

export const adminInsightsRu: Record<keyof typeof adminInsightsEn, string> & Record<string, string> = {
}
