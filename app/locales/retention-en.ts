// Strings for erasure on schedule and organisers' answers to supporters' requests (decision 0045). Spread into en.ts.
export const retentionEn = {
  'admin.dashboard.erasureOn': 'Signers’ names, email addresses and postcodes will be erased on {date}. The counts, countries and chart stay.',
  'admin.dashboard.erasureAfterClose':
    'Signers’ names, email addresses and postcodes will be erased {count} months after the campaign closes. The counts, countries and chart stay.',
  'admin.dashboard.erasureAfterClose#one':
    'Signers’ names, email addresses and postcodes will be erased {count} month after the campaign closes. The counts, countries and chart stay.',
  'admin.dashboard.erasureAfterClose#other':
    'Signers’ names, email addresses and postcodes will be erased {count} months after the campaign closes. The counts, countries and chart stay.',
  'admin.dashboard.erasurePast': 'Signers’ names, email addresses and postcodes are erased (due on {date}). The counts, countries and chart stay.',

  'admin.supporters.erased': 'Erased',
  'admin.supporters.erasedRow': 'Contact details erased',
  'admin.supporters.exportButton': 'Export',
  'admin.supporters.exportLabel': 'Export everything held for {name}',
  'admin.supporters.eraseLink': 'Erase',
  'admin.supporters.eraseLinkLabel': 'Erase everything held for {name}',
  'admin.supporters.eraseHeading': 'Erase this supporter’s data?',
  'admin.supporters.eraseBody':
    'Every signature, gift and email this organisation holds for this address is erased now and cannot be recovered. The counts stay, and an address that bounced or unsubscribed is still never emailed.',
  'admin.supporters.eraseButton': 'Erase their data',
  'admin.supporters.done.erased': 'Everything held for that address was erased.',
  'admin.supporters.error.confirmErasure': 'Confirm the erasure with the button.',
  'admin.supporters.error.alreadyErased': 'This supporter’s contact details have already been erased.',

  'admin.audit.action.retention.erased': 'Erased contact details on schedule',
  'admin.audit.action.supporter.erased': 'Erased a supporter’s data',
  'admin.audit.action.supporter.exported': 'Exported a supporter’s data',
} as const
