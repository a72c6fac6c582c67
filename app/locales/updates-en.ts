// Strings for updates to signers and their emails (issue 5). Spread into en.ts.
export const updatesEn = {
  'admin.campaignNav.updates': 'Updates',
} as const
