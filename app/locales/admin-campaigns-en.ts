// Strings for the campaign list and editor (keys start with admin.), emails included. Spread into en.ts.
export const adminCampaignsEn = {
} as const
