// Strings for delivery packs, deliveries and the public verification page (issue 5). Spread into en.ts.
export const deliveryEn = {
  'admin.campaignNav.deliver': 'Deliver',
} as const
