// Strings for milestones, authority responses and the public timeline (issue 5). Spread into en.ts.
export const timelineEn = {
  'admin.campaignNav.responses': 'Responses',
} as const
