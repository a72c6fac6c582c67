import { createElement, type ReactElement } from 'react'
import { render } from '@react-email/render'
import AlreadySignedEmail, { subject as alreadySignedSubject, type AlreadySignedProps } from './already-signed'
import SignatureConfirmationEmail, {
  subject as signatureConfirmationSubject,
  type SignatureConfirmationProps,
} from './signature-confirmation'
import SignatureThanksEmail, { subject as signatureThanksSubject, type SignatureThanksProps } from './signature-thanks'

export type { AlreadySignedProps, SignatureConfirmationProps, SignatureThanksProps }

export type EmailTemplateName = 'signature-confirmation' | 'already-signed' | 'signature-thanks'

export interface EmailProps {
  'signature-confirmation': SignatureConfirmationProps
  'already-signed': AlreadySignedProps
  'signature-thanks': SignatureThanksProps
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
}

export const EMAIL_TEMPLATE_NAMES = Object.keys(templates) as EmailTemplateName[]

/** Renders a template to its subject line, HTML body and plain-text body. */
export async function renderEmail<T extends EmailTemplateName>(name: T, props: EmailProps[T]): Promise<RenderedEmail> {
  const template = templates[name] as TemplateEntry<EmailProps[T]> | undefined
  if (!template) throw new Error(`Unknown email template: ${String(name)}`)
  const element = createElement(template.component, props)
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })])
  return { subject: template.subject(props), html, text }
}
