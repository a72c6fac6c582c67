import { Heading, Link, Section, Text } from '@react-email/components'
import type { Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { BrandButton, EmailLayout, siteLabel, styles, type EmailBrand } from './layout'

export interface InvitationProps {
  locale: Locale
  appUrl: string
  organisationName: string
  /** Who invited: their name, or their address when they have not given one. */
  inviterName: string
  role: 'owner' | 'campaigner' | 'viewer'
  /** Absolute URL of the page with the "Accept" button. */
  acceptUrl: string
  brand?: EmailBrand | null
}

export function subject({ locale, organisationName }: Pick<InvitationProps, 'locale' | 'organisationName'>): string {
  return makeTranslator(locale)('admin.email.invitation.subject', { organisation: organisationName })
}

/** An owner invited this address to their organisation's workspace. */
export function InvitationEmail({ locale, appUrl, organisationName, inviterName, role, acceptUrl, brand }: InvitationProps) {
  const t = makeTranslator(locale)
  const vars = { organisation: organisationName, inviter: inviterName, role: t(`admin.role.${role}`) }
  return (
    <EmailLayout
      brand={brand}
      locale={locale}
      preview={t('admin.email.invitation.preview', vars)}
      organisationName={organisationName}
      appUrl={appUrl}
      footerNote={t('admin.email.footer', { site: siteLabel(appUrl) })}
    >
      <Heading as="h1" style={styles.heading}>
        {t('admin.email.invitation.heading', vars)}
      </Heading>
      <Text style={styles.text}>{t('admin.email.invitation.intro', vars)}</Text>
      <Section style={styles.buttonSection}>
        <BrandButton href={acceptUrl}>{t('admin.email.invitation.button')}</BrandButton>
      </Section>
      <Text style={styles.strong}>{t('admin.email.invitation.expires')}</Text>
      <Text style={styles.muted}>{t('admin.email.copyLink')}</Text>
      <Text style={styles.plainUrl}>
        <Link href={acceptUrl} style={styles.link}>
          {acceptUrl}
        </Link>
      </Text>
      <Text style={styles.muted}>{t('admin.email.invitation.ignore', vars)}</Text>
    </EmailLayout>
  )
}

export default InvitationEmail
