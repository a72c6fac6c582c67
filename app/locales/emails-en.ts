// Strings used by the transactional emails in /emails. Every key starts with `email.`.
// Plural messages: the base key is the fallback; `#one` / `#other` are picked by count.
export const emailsEn = {
  // Shared
  'email.common.greeting': 'Hello {name},',
  'email.common.greetingAnonymous': 'Hello,',
  'email.common.viewPetition': 'View the petition',

  // Layout footer
  'email.layout.sentBy': 'Sent by {organisation}',
  'email.layout.footerNote': 'You are receiving this because this address was used to sign a petition on {site}.',

  // Signature confirmation
  'email.confirm.subject': 'Confirm your signature on “{title}”',
  'email.confirm.preview': 'One click and your signature will count.',
  'email.confirm.heading': 'Confirm your signature',
  'email.confirm.intro': 'You, or someone using your email address, signed the petition “{title}”.',
  'email.confirm.action': 'To confirm your signature, please click the button below.',
  'email.confirm.button': 'Confirm my signature',
  'email.confirm.copyLink': 'If the button does not work, copy this link into your browser:',
  'email.confirm.notCounted': 'Your signature will not be counted until you confirm it.',
  'email.confirm.ignore': 'If you did not sign this petition, you can safely ignore this email and nothing will be counted.',

  // Already signed
  'email.alreadySigned.subject': 'You have already signed “{title}”',
  'email.alreadySigned.preview': 'Your signature is already counted, so there is no need to sign again.',
  'email.alreadySigned.heading': 'You have already signed',
  'email.alreadySigned.intro': 'Someone just tried to sign the petition “{title}” again using this email address.',
  'email.alreadySigned.counted': 'Your signature is already confirmed and has been counted once.',
  'email.alreadySigned.nothingToDo': 'There is nothing else you need to do.',
  'email.alreadySigned.share': 'The best way to help now is to share the petition with your friends:',

  // Thank you
  'email.thanks.subject': 'Thank you for signing “{title}”',
  'email.thanks.preview': 'Your signature is confirmed and counted.',
  'email.thanks.heading': 'Thank you for signing!',
  'email.thanks.confirmed': 'Your signature on the petition “{title}” is confirmed and has been counted.',
  'email.thanks.count': 'So far, {count} people have signed.',
  'email.thanks.count#one': 'So far, {count} person has signed.',
  'email.thanks.count#other': 'So far, {count} people have signed.',
  'email.thanks.shareIntro': 'The more people hear about the petition, the more signatures it will gather. Please share it:',
  'email.thanks.donateIntro': 'If you can, please support the campaign with a donation. It helps us keep going.',
  'email.thanks.donateLink': 'Make a donation',
} as const
