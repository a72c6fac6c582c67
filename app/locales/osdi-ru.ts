import type { osdiEn } from './osdi-en'

export const osdiRu: Record<keyof typeof osdiEn, string> & Record<string, string> = {
  'admin.nav.apiKeys': 'API-ключи',
} as const
