import { Heading, Link, Section, Text } from '@react-email/components'
import { type Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { BrandButton, EmailLayout, siteLabel, styles, type EmailBrand } from './layout'

export interface SenderVerificationProps {
  locale: Locale
  appUrl: string
  organisationName: string
  senderEmail: string
  /** Absolute URL of the page with the "Confirm" button. */
  confirmUrl: string
  brand?: EmailBrand | null
}

export function subject({ locale, organisationName }: Pick<SenderVerificationProps, 'locale' | 'organisationName'>): string {
  return makeTranslator(locale)('reach.email.senderVerify.subject', { organisation: organisationName })
}

/** An owner asked for this address to be the sender of their organisation's emails. */
export function SenderVerificationEmail({ locale, appUrl, organisationName, senderEmail, confirmUrl, brand }: SenderVerificationProps) {
  const t = makeTranslator(locale)
  const vars = { organisation: organisationName, address: senderEmail }
  return (
    <EmailLayout
      brand={brand}
      locale={locale}
      preview={t('reach.email.senderVerify.preview', vars)}
      organisationName={organisationName}
      appUrl={appUrl}
      footerNote={t('admin.email.footer', { site: siteLabel(appUrl) })}
    >
      <Heading as="h1" style={styles.heading}>
        {t('reach.email.senderVerify.heading')}
      </Heading>
      <Text style={styles.text}>{t('reach.email.senderVerify.intro', vars)}</Text>
      <Section style={styles.buttonSection}>
        <BrandButton href={confirmUrl}>{t('reach.email.senderVerify.button')}</BrandButton>
      </Section>
      <Text style={styles.muted}>{t('admin.email.copyLink')}</Text>
      <Text style={styles.plainUrl}>
        <Link href={confirmUrl} style={styles.link}>
          {confirmUrl}
        </Link>
      </Text>
      <Text style={styles.muted}>{t('reach.email.senderVerify.ignore', vars)}</Text>
    </EmailLayout>
  )
}

export default SenderVerificationEmail
