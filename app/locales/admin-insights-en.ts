// Strings for campaign dashboards and the supporters list (keys start with admin.), emails included. Spread into en.ts.
export const adminInsightsEn = {
} as const
