// Strings for unsubscribing, suppressions and the Resend webhook (issue 5). Spread into en.ts.
export const deliverabilityEn = {
  'admin.nav.suppressions': 'Suppressions',
} as const
