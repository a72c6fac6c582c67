import { createContext, useContext, type CSSProperties, type ReactNode } from 'react'
import { Body, Button, Container, Head, Hr, Html, Img, Link, Preview, Section, Text } from '@react-email/components'
import { type Locale, type Translate } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'

/** Props shared by every email template. */
export interface BaseEmailProps {
  locale: Locale
  campaignTitle: string
  /** Absolute URL of the campaign page. */
  campaignUrl: string
  organisationName: string
  /** Absolute base URL of the site. */
  appUrl: string
  /** The organisation's look: logo, brand colour, contact address (decision 0035). */
  brand?: EmailBrand | null
}

/** How an organisation's emails look like its own: every field optional. */
export interface EmailBrand {
  /** Absolute URL of the logo (the same for every recipient: no tracking). */
  logoUrl: string | null
  /** `#rrggbb` with at least 4.5:1 contrast against white. */
  colour: string | null
  contactEmail: string | null
}

const BrandContext = createContext<EmailBrand | null>(null)

export interface EmailLayoutProps {
  locale: Locale
  /** Short inbox preview line (already translated). */
  preview: string
  organisationName: string
  appUrl: string
  /** Replaces the footer's "why you get this" line (emails that are not about a signature). */
  footerNote?: string
  brand?: EmailBrand | null
  children: ReactNode
}

/** Host name shown for the site in the footer, e.g. "chorus.example.org". */
export function siteLabel(appUrl: string): string {
  try {
    return new URL(appUrl).host || appUrl
  } catch {
    return appUrl
  }
}

/** Greeting line, falling back to a nameless greeting for a blank name. */
export function greeting(t: Translate, name: string): string {
  const trimmed = name.trim()
  return trimmed ? t('email.common.greeting', { name: trimmed }) : t('email.common.greetingAnonymous')
}

export const styles = {
  body: {
    margin: 0,
    padding: '24px 0',
    backgroundColor: '#f4f4f5',
    fontFamily: 'Helvetica, Arial, sans-serif',
    color: '#18181b',
  },
  container: {
    maxWidth: '560px',
    margin: '0 auto',
    padding: '32px',
    backgroundColor: '#ffffff',
    borderRadius: '8px',
  },
  heading: { margin: '0 0 16px', fontSize: '22px', lineHeight: '30px', fontWeight: 700, color: '#18181b' },
  text: { margin: '0 0 16px', fontSize: '16px', lineHeight: '24px', color: '#18181b' },
  strong: { margin: '0 0 16px', fontSize: '16px', lineHeight: '24px', fontWeight: 700, color: '#18181b' },
  muted: { margin: '0 0 16px', fontSize: '14px', lineHeight: '20px', color: '#52525b' },
  link: { color: '#1d4ed8', textDecoration: 'underline' },
  plainUrl: { margin: '0 0 16px', fontSize: '14px', lineHeight: '20px', color: '#1d4ed8', wordBreak: 'break-all' },
  buttonSection: { margin: '8px 0 24px' },
  button: {
    display: 'inline-block',
    padding: '12px 24px',
    backgroundColor: '#1d4ed8',
    color: '#ffffff',
    fontSize: '16px',
    fontWeight: 700,
    borderRadius: '6px',
    textDecoration: 'none',
  },
  listItem: { margin: '0 0 8px', fontSize: '16px', lineHeight: '24px' },
  hr: { margin: '24px 0', borderColor: '#e4e4e7' },
  footer: { margin: '0 0 8px', fontSize: '12px', lineHeight: '18px', color: '#71717a' },
} satisfies Record<string, CSSProperties>

/** The call to action, in the organisation's brand colour when it has one. */
export function BrandButton({ href, children }: { href: string; children: ReactNode }) {
  const brand = useContext(BrandContext)
  const style = brand?.colour ? { ...styles.button, backgroundColor: brand.colour } : styles.button
  return (
    <Button href={href} style={style}>
      {children}
    </Button>
  )
}

/** Shared wrapper: document shell, preview line, logo, content card and footer. */
export function EmailLayout({ locale, preview, organisationName, appUrl, footerNote, brand, children }: EmailLayoutProps) {
  const t = makeTranslator(locale)
  return (
    <BrandContext.Provider value={brand ?? null}>
      <Html lang={locale} dir="ltr">
        <Head />
        <Preview>{preview}</Preview>
        <Body style={styles.body}>
          <Container style={styles.container}>
            {brand?.logoUrl ? (
              <Section style={{ margin: '0 0 24px' }}>
                <Img src={brand.logoUrl} alt={organisationName} height="48" style={{ height: '48px', width: 'auto', maxWidth: '240px' }} />
              </Section>
            ) : null}
            {children}
            <Hr style={styles.hr} />
            <Section>
              <Text style={styles.footer}>{t('email.layout.sentBy', { organisation: organisationName })}</Text>
              {brand?.contactEmail ? (
                <Text style={styles.footer}>
                  {t('reach.email.contact')}{' '}
                  <Link href={`mailto:${brand.contactEmail}`} style={styles.link}>
                    {brand.contactEmail}
                  </Link>
                </Text>
              ) : null}
              <Text style={styles.footer}>{footerNote ?? t('email.layout.footerNote', { site: siteLabel(appUrl) })}</Text>
            </Section>
          </Container>
        </Body>
      </Html>
    </BrandContext.Provider>
  )
}

export default EmailLayout
