// Strings for donations (pages, receipt emails), emails included. Spread into en.ts.
export const donationsEn = {
} as const
