// Strings for API keys and the OSDI API (issue 5). Spread into en.ts.
export const osdiEn = {
  'admin.nav.apiKeys': 'API keys',
} as const
