import { Heading, Link, Section, Text } from '@react-email/components'
import { type Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { BrandButton, EmailLayout, siteLabel, styles } from './layout'

export interface SignInLinkProps {
  locale: Locale
  appUrl: string
  /** Absolute URL of the page with the "Sign in" button. */
  signInUrl: string
}

export function subject({ locale }: Pick<SignInLinkProps, 'locale'>): string {
  return makeTranslator(locale)('admin.email.signIn.subject')
}

/** The magic link an organiser asked for at /admin/sign-in. */
export function SignInLinkEmail({ locale, appUrl, signInUrl }: SignInLinkProps) {
  const t = makeTranslator(locale)
  return (
    <EmailLayout
      locale={locale}
      preview={t('admin.email.signIn.preview')}
      organisationName="Chorus"
      appUrl={appUrl}
      footerNote={t('admin.email.footer', { site: siteLabel(appUrl) })}
    >
      <Heading as="h1" style={styles.heading}>
        {t('admin.email.signIn.heading')}
      </Heading>
      <Text style={styles.text}>{t('admin.email.signIn.intro')}</Text>
      <Section style={styles.buttonSection}>
        <BrandButton href={signInUrl}>{t('admin.email.signIn.button')}</BrandButton>
      </Section>
      <Text style={styles.strong}>{t('admin.email.signIn.expires')}</Text>
      <Text style={styles.muted}>{t('admin.email.copyLink')}</Text>
      <Text style={styles.plainUrl}>
        <Link href={signInUrl} style={styles.link}>
          {signInUrl}
        </Link>
      </Text>
      <Text style={styles.muted}>{t('admin.email.signIn.ignore')}</Text>
    </EmailLayout>
  )
}

export default SignInLinkEmail
