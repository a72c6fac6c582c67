import { Heading, Link, Section, Text } from '@react-email/components'
import { type Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { BrandButton, EmailLayout, siteLabel, styles } from './layout'

export interface MyDataLinkProps {
  locale: Locale
  appUrl: string
  /** Absolute URL of /my-data/:token. */
  linkUrl: string
}

export function subject({ locale }: Pick<MyDataLinkProps, 'locale'>): string {
  return makeTranslator(locale)('myData.email.subject')
}

/** The link a supporter asked for at /my-data. */
export function MyDataLinkEmail({ locale, appUrl, linkUrl }: MyDataLinkProps) {
  const t = makeTranslator(locale)
  return (
    <EmailLayout
      locale={locale}
      preview={t('myData.email.preview')}
      organisationName="Chorus"
      appUrl={appUrl}
      footerNote={t('admin.email.footer', { site: siteLabel(appUrl) })}
    >
      <Heading as="h1" style={styles.heading}>
        {t('myData.email.heading')}
      </Heading>
      <Text style={styles.text}>{t('myData.email.intro')}</Text>
      <Section style={styles.buttonSection}>
        <BrandButton href={linkUrl}>{t('myData.email.button')}</BrandButton>
      </Section>
      <Text style={styles.strong}>{t('myData.email.expires')}</Text>
      <Text style={styles.muted}>{t('admin.email.copyLink')}</Text>
      <Text style={styles.plainUrl}>
        <Link href={linkUrl} style={styles.link}>
          {linkUrl}
        </Link>
      </Text>
      <Text style={styles.muted}>{t('myData.email.ignore')}</Text>
    </EmailLayout>
  )
}

export default MyDataLinkEmail
