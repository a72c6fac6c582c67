// Strings for the organisation's privacy notice beside every sign form and the workspace's
// "Data retention" fieldset (decision 0047). Spread into en.ts.
export const noticeEn = {
  'privacy.org.pageTitle': 'Privacy notice of {organisation}',
  'privacy.org.title': 'Privacy notice of {organisation}',
  'privacy.org.lede':
    'When you sign “{campaign}”, {organisation} holds the details you give. This notice says how to reach them, how long your details are kept, which of their systems receive them, and how to see or erase them yourself.',
  'privacy.org.holderHeading': 'Who holds your details',
  'privacy.org.holder':
    '{organisation} is responsible for your details. Chorus, the petition platform, stores them for {organisation}, encrypted, and uses them for nothing else.',
  'privacy.org.contactHeading': 'How to contact {organisation}',
  'privacy.org.contactEmail': 'Email:',
  'privacy.org.website': 'Website:',
  'privacy.org.ownPolicy': 'Their own privacy policy:',
  'privacy.org.noContact': '{organisation} has not given a contact address yet. You can still see and erase your data yourself, below.',
  'privacy.org.keptHeading': 'How long your details are kept',
  'privacy.org.keptSigners':
    'Your name, email address and postcode: until {period} after the campaign closes, then erased. Your country, the day you signed and the count stay, so the totals never change.',
  'privacy.org.keptUnconfirmed': 'A signature you never confirmed by email: erased after {period}.',
  'privacy.org.keptDonors':
    'If you give: your name and email address are kept for {period} after the gift, as accounting requires, then erased; the amount and date stay.',
  'privacy.org.keptAddressHash': 'A keyed hash of your internet address, used only against abuse (never the address itself): erased after {period}.',
  'privacy.org.months': '{count} months',
  'privacy.org.months#one': '{count} month',
  'privacy.org.days': '{count} days',
  'privacy.org.days#one': '{count} day',
  'privacy.org.years': '{count} years',
  'privacy.org.years#one': '{count} year',
  'privacy.org.receiveHeading': 'Which systems receive your details',
  'privacy.org.receiveIntro':
    'Besides the team of {organisation} in its Chorus workspace, these systems of {organisation} may read confirmed signatures through Chorus’s API (each has its own key, named here as {organisation} named it):',
  'privacy.org.receiveWithEmail':
    '{name}: your email address, country and postcode, and your name only if you agreed to show it (it keeps the supporter list: CRM sync)',
  'privacy.org.receiveWithoutEmail': '{name}: your country and postcode, and your name only if you agreed to show it; never your email address',
  'privacy.org.receiveNone': 'No other system of {organisation} receives signers’ details: it has no API keys that can read signatures.',
  'privacy.org.namesAndEmails':
    'These systems receive your name only if you ticked the box to show your name; otherwise they get your signature without it. Only the systems marked CRM sync receive email addresses.',
  'privacy.org.names':
    'Your first name and country are shown on the campaign page, and your full name and country are in the list of signatures delivered to the people the petition addresses, only if you ticked the box to show your name. Your email address is never shown publicly or delivered.',
  'privacy.org.yourDataHeading': 'See, download or erase your data',
  'privacy.org.yourData':
    'You do not need an account. Enter your email address on the page below and we email you a link that works for one hour. It lists every signature, gift and email choice held for that address, lets you download all of it, and lets you erase it.',
  'privacy.org.yourDataLink': 'See or erase your data',
  'privacy.org.platform': 'How Chorus itself handles data:',
  'privacy.org.platformLink': 'the platform’s privacy notice',
  'privacy.org.back': 'Back to the petition',

  'admin.retention.legend': 'Data retention',
  'admin.retention.intro':
    'How long supporters’ contact details are kept before Chorus erases them each night. The privacy notice beside every sign form shows these periods.',
  'admin.retention.signerMonths': 'Signers’ name, email and postcode (months after the campaign closes)',
  'admin.retention.signerMonthsHint': 'From 1 to 120. Counts, countries and days stay.',
  'admin.retention.unconfirmedDays': 'Unconfirmed signatures (days)',
  'admin.retention.unconfirmedDaysHint': 'From 1 to 365.',
  'admin.retention.financialYears': 'Donors’ name and email (years after the gift)',
  'admin.retention.financialYearsHint': 'From 1 to 30. Check what your accounting law requires.',
  'admin.retention.save': 'Save retention periods',
  'admin.retention.error.signerMonths': 'Enter a whole number of months from 1 to 120',
  'admin.retention.error.unconfirmedDays': 'Enter a whole number of days from 1 to 365',
  'admin.retention.error.financialYears': 'Enter a whole number of years from 1 to 30',
  'reach.org.done.retention-saved': 'Retention periods saved.',
  'admin.audit.action.organisation.retention_updated': 'Changed how long supporters’ details are kept',
} as const
