import { createElement, type ReactElement } from 'react'
import { plainTextSelectors } from '@react-email/render'
import { renderToStaticMarkup } from 'react-dom/server'
import { compile } from 'html-to-text'
import AlreadySignedEmail, { subject as alreadySignedSubject, type AlreadySignedProps } from './already-signed'
import SignatureConfirmationEmail, { subject as signatureConfirmationSubject, type SignatureConfirmationProps } from './signature-confirmation'
import SignatureThanksEmail, { subject as signatureThanksSubject, type SignatureThanksProps } from './signature-thanks'
import SignInLinkEmail, { subject as signInLinkSubject, type SignInLinkProps } from './sign-in-link'
import MyDataLinkEmail, { subject as myDataLinkSubject, type MyDataLinkProps } from './my-data-link'
import InvitationEmail, { subject as invitationSubject, type InvitationProps } from './invitation'
import DonationReceiptEmail, { subject as donationReceiptSubject, type DonationReceiptProps } from './donation-receipt'
import SenderVerificationEmail, { subject as senderVerificationSubject, type SenderVerificationProps } from './sender-verification'
import CampaignUpdateEmail, { subject as campaignUpdateSubject, type CampaignUpdateProps } from './campaign-update'

export type { AlreadySignedProps, SignatureConfirmationProps, SignatureThanksProps }
export type { SignInLinkProps, InvitationProps }
export type { DonationReceiptProps }
export type { CampaignUpdateProps }
export type { SenderVerificationProps }

export type EmailTemplateName =
  | 'signature-confirmation'
  | 'already-signed'
  | 'signature-thanks'
  | 'sign-in-link'
  | 'invitation'
  | 'donation-receipt'
  | 'campaign-update'
  | 'sender-verification'
  | 'my-data-link'

export interface EmailProps {
  'signature-confirmation': SignatureConfirmationProps
  'already-signed': AlreadySignedProps
  'signature-thanks': SignatureThanksProps
  'sign-in-link': SignInLinkProps
  'my-data-link': MyDataLinkProps
  invitation: InvitationProps
  'donation-receipt': DonationReceiptProps
  'campaign-update': CampaignUpdateProps
  'sender-verification': SenderVerificationProps
}

export interface RenderedEmail {
  subject: string
  html: string
  text: string
}

interface TemplateEntry<P> {
  component: (props: P) => ReactElement
  subject: (props: P) => string
}

const templates: { [K in EmailTemplateName]: TemplateEntry<EmailProps[K]> } = {
  'signature-confirmation': { component: SignatureConfirmationEmail, subject: signatureConfirmationSubject },
  'already-signed': { component: AlreadySignedEmail, subject: alreadySignedSubject },
  'signature-thanks': { component: SignatureThanksEmail, subject: signatureThanksSubject },
  'sign-in-link': { component: SignInLinkEmail, subject: signInLinkSubject },
  invitation: { component: InvitationEmail, subject: invitationSubject },
  'donation-receipt': { component: DonationReceiptEmail, subject: donationReceiptSubject },
  'campaign-update': { component: CampaignUpdateEmail, subject: campaignUpdateSubject },
  'sender-verification': { component: SenderVerificationEmail, subject: senderVerificationSubject },
  'my-data-link': { component: MyDataLinkEmail, subject: myDataLinkSubject },
}

export const EMAIL_TEMPLATE_NAMES = Object.keys(templates) as EmailTemplateName[]

/** Renders a template to its subject line, HTML body and plain-text body. */
export async function renderEmail<T extends EmailTemplateName>(name: T, props: EmailProps[T]): Promise<RenderedEmail> {
  const template = templates[name] as TemplateEntry<EmailProps[T]> | undefined
  if (!template) throw new Error(`Unknown email template: ${String(name)}`)
  // The templates are plain synchronous trees: rendered to a string in one call, with the XHTML
  // doctype react-email's `render` puts first. `render` streams (a dynamic import and a stream
  // per email) and marks adjacent text with comments; what a mail client shows is the same.
  const html = XHTML_DOCTYPE + renderToStaticMarkup(createElement(template.component, props))
  return { subject: template.subject(props), html, text: toPlainText(html) }
}

const XHTML_DOCTYPE = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'

/**
 * The plain-text alternative, from the HTML already rendered: react-email's own conversion
 * (its options and selectors), compiled once. `render(element, { plainText: true })` would
 * render the React tree a second time and compile the converter for every email, which is
 * most of what a sender spends on a surge's confirmations.
 */
const toPlainText = compile({ wordwrap: false, selectors: plainTextSelectors })

/**
 * Stand-ins for what differs between the recipients of one campaign's confirmation emails:
 * rendered once with these in place, then filled in for each recipient (fillRecipientSlots),
 * which costs a few string replacements instead of a render and a plain-text conversion.
 */
export const RECIPIENT_SLOTS = { name: 'chorusrecipientnameslot', token: 'chorusrecipienttokenslot' } as const

/** What React writes for these characters in text and attributes. */
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' }
/** What the plain-text conversion treats as white space (collapsed to one space). */
const TEXT_WHITESPACE = /[ \t\r\n\f\u200b]+/g

/**
 * A layout rendered with RECIPIENT_SLOTS, filled in for one recipient: the same subject, HTML and
 * text as rendering for them, or null when a value cannot be filled in that way (an empty name,
 * which the greeting words differently; a token that is not URL-safe).
 */
export function fillRecipientSlots(layout: RenderedEmail, values: { name: string; token?: string }): RenderedEmail | null {
  const name = values.name.trim()
  if (!name || (values.token !== undefined && !/^[A-Za-z0-9_-]{1,200}$/.test(values.token))) return null
  const fill = (text: string, nameAs: string) => {
    const withToken = values.token === undefined ? text : text.replaceAll(RECIPIENT_SLOTS.token, values.token)
    return withToken.replaceAll(RECIPIENT_SLOTS.name, nameAs)
  }
  return {
    subject: fill(layout.subject, name),
    html: fill(
      layout.html,
      name.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!),
    ),
    text: fill(layout.text, name.replace(TEXT_WHITESPACE, ' ')),
  }
}
