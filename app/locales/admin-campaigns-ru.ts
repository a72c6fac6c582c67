import type { adminCampaignsEn } from './admin-campaigns-en'

export const adminCampaignsRu: Record<keyof typeof adminCampaignsEn, string> & Record<string, string> = {
}
