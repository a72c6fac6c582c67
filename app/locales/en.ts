import { adminAccessEn } from './admin-access-en'
import { adminCampaignsEn } from './admin-campaigns-en'
import { adminInsightsEn } from './admin-insights-en'
import { donationsEn } from './donations-en'
import { emailsEn } from './emails-en'
import { updatesEn } from './updates-en'
import { deliverabilityEn } from './deliverability-en'
import { timelineEn } from './timeline-en'
import { deliveryEn } from './delivery-en'
import { osdiEn } from './osdi-en'
import { reachEn } from './reach-en'
import { myDataEn } from './my-data-en'
import { retentionEn } from './retention-en'
import { integrityEn } from './integrity-en'
import { noticeEn } from './notice-en'

// The English catalogue is the source of truth: every other locale must have every key
// (the Russian catalogue's type enforces it). Plural forms are `key#one`, `key#other`, ...
export const en = {
  ...emailsEn,
  ...donationsEn,
  ...adminAccessEn,
  ...noticeEn,
  ...adminCampaignsEn,
  ...adminInsightsEn,
  ...updatesEn,
  ...deliverabilityEn,
  ...timelineEn,
  ...deliveryEn,
  ...osdiEn,
  ...reachEn,
  ...myDataEn,
  ...retentionEn,
  ...integrityEn,
  'site.name': 'Chorus',
  'nav.skip': 'Skip to main content',
  'nav.language': 'Language',
  'footer.about': 'Chorus is an open-source platform for human-rights petitions.',
  'footer.privacy': 'Privacy notice',

  'home.title': 'Add your voice',
  'home.lede': 'Sign a petition, confirm it by email, and we count your voice when the signatures are delivered.',
  'home.empty': 'There are no open petitions right now.',
  'home.noMore': 'There are no more open petitions.',
  'home.pages': 'More petitions',
  'home.newer': 'Newer petitions',
  'home.older': 'Older petitions',

  'campaign.calledOn': 'Calling on {target}',
  'campaign.count': '{count} people have signed',
  'campaign.count#one': '{count} person has signed',
  'campaign.count#other': '{count} people have signed',
  'campaign.goal': 'Goal: {goal}',
  'campaign.demandHeading': 'We call on',
  'campaign.storyHeading': 'Why this matters',
  'campaign.signPanel': 'Sign this petition',
  'campaign.notOpenHeading': 'This petition is not open yet',
  'campaign.notOpen': 'It opens for signatures on {date}.',
  'campaign.closedHeading': 'This petition is closed',
  'campaign.closed': 'This petition is no longer collecting signatures.',
  'campaign.finalCount': 'Final count: {count} signatures.',
  'campaign.finalCount#one': 'Final count: {count} signature.',
  'campaign.finalCount#other': 'Final count: {count} signatures.',
  'campaign.countriesHeading': 'Where signers are',
  'campaign.country': 'Country',
  'campaign.signatures': 'Signatures',
  'campaign.recentHeading': 'Recent signers',
  'campaign.recentSigner': '{name}, {country}',

  'sign.heading': 'Sign the petition',
  'sign.errorSummary': 'There is a problem',
  'sign.fullName': 'Full name',
  'sign.email': 'Email address',
  'sign.emailHint': 'We send you a link to confirm your signature.',
  'sign.country': 'Country',
  'sign.countryChoose': 'Choose your country',
  'sign.postcode': 'Postcode',
  'sign.optional': '(optional)',
  'sign.consentUpdates': 'Keep me updated about this campaign',
  'sign.consentShowName':
    'Show my first name and country on this page, include my full name and country in the list of signatures delivered to the people this petition addresses, and give my name to the organisation’s systems listed in its privacy notice, such as its CRM',
  'sign.honeypot': 'Leave this field empty',
  'sign.privacy': '{organisation} uses your details only for this petition and, if you ask, to send you updates about it.',
  'sign.privacyLink': 'Read the privacy notice',
  'sign.submit': 'Sign the petition',
  'sign.error.nameRequired': 'Enter your full name',
  'sign.error.nameTooLong': 'Your name must be 100 characters or fewer',
  'sign.error.nameUrl': 'Your name cannot contain a web address',
  'sign.error.nameFormula': 'Your name cannot start with =, +, - or @',
  'sign.error.nameInvalid': 'Your name contains characters we cannot accept',
  'sign.error.emailRequired': 'Enter your email address',
  'sign.error.emailTooLong': 'Your email address must be 254 characters or fewer',
  'sign.error.emailInvalid': 'Enter an email address like name@example.com',
  'sign.error.countryRequired': 'Choose your country from the list',
  'sign.error.postcodeTooLong': 'Your postcode must be 16 characters or fewer',
  'sign.error.postcodeInvalid': 'Your postcode can only contain letters, numbers, spaces and hyphens',
  'sign.error.rateLimited': 'Too many signatures have come from your connection in a short time. Please wait a while and try again; what you typed is kept.',
  'sign.error.closed': 'This petition is closed and no longer accepts signatures.',

  'check.title': 'Check your email',
  'check.sent': 'We have sent an email to confirm your signature on',
  'check.click': 'Open it and press the button to confirm. Your signature counts only once it is confirmed.',
  'check.noEmailHeading': 'No email?',
  'check.spam': 'Look in your spam or junk folder.',
  'check.wait': 'It can take a few minutes to arrive.',
  'check.again': 'If it still has not arrived, sign again with the same address and we will send a new link.',
  'check.back': 'Back to the petition',

  'confirm.title': 'Confirm your signature',
  'confirm.intro': 'Press the button to confirm your signature on this petition.',
  'confirm.button': 'Confirm my signature',
  'confirm.why': 'We ask you to press the button because some email security tools open links automatically, and only you should confirm.',
  'confirm.invalidTitle': 'This link does not work',
  'confirm.invalidBody':
    'The link has already been used, has been replaced by a newer email, or is incomplete. If you have already confirmed, your signature is counted. Otherwise, sign the petition again to get a new link.',
  'confirm.closedTitle': 'This petition has closed',
  'confirm.closedBody': 'The petition closed before your signature was confirmed, so it could not be added.',

  'thanks.title': 'Thank you for signing',
  'thanks.confirmed': 'Your signature is confirmed on',
  'thanks.countNote': 'The count updates within a few seconds.',
  'thanks.back': 'Back to the petition',

  'share.heading': 'Share this petition',
  'share.newWindow': '(opens in a new tab)',
  'share.email': 'Email',
  'share.whatsapp': 'WhatsApp',
  'share.telegram': 'Telegram',
  'share.x': 'X',
  'share.facebook': 'Facebook',
  'share.vk': 'VK',

  'error.notFound.title': 'Page not found',
  'error.notFound.body': 'The page you are looking for does not exist or is no longer available.',
  'error.generic.title': 'Something went wrong',
  'error.generic.body': 'Please try again in a moment.',
  'error.home': 'Go to the home page',
  'error.badRequest.title': 'There is a problem with what was sent',
  'error.formTooLarge': 'The form is too large. Shorten what you typed and try again.',
  'error.formUnreadable': 'The form could not be read. Go back and try again.',
  'error.formEncoding': 'The form was sent in a way this site does not accept. Go back and try again.',

  'mailbox.title': 'Development mailbox',
  'mailbox.lede': 'Emails the app would have sent, newest first. Only this machine can see this page.',
  'mailbox.filter': 'Recipient',
  'mailbox.show': 'Show',
  'mailbox.empty': 'No emails yet.',
  'mailbox.to': 'To',
  'mailbox.sent': 'Sent',
  'mailbox.template': 'Template',

  'privacy.title': 'Privacy notice',
  'privacy.lede': 'Signing a petition can put people at risk. We collect as little as we can and protect what we keep.',
  'privacy.collectHeading': 'What we collect',
  'privacy.collect':
    'Your name, email address, country and, if you give it, your postcode, with the choices you make on the form. We keep a keyed hash of your internet address to stop abuse, never the address itself.',
  'privacy.useHeading': 'How we use it',
  'privacy.use':
    'To confirm and count your signature, to deliver the petition, and to email you about the campaign only if you ticked the box to be kept updated.',
  'privacy.publicHeading': 'What is public',
  'privacy.public':
    'Only the total count and counts by country, plus your first name and country if you chose to show them. If you chose that, your full name and country are also in the list of signatures delivered to the people the petition addresses. Your email address is never shown or shared.',
  'privacy.safetyHeading': 'Your safety',
  'privacy.safety': 'This site loads no third-party scripts, fonts or trackers. Share buttons are plain links that contact nobody until you use them.',
  'privacy.rightsHeading': 'Your rights',
  'privacy.rights': 'You can ask the organisation running the campaign to remove your signature and your details at any time.',
} as const

export type MessageKey = keyof typeof en
