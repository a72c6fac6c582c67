import { Heading, Link, Section, Text } from '@react-email/components'
import { makeTranslator } from '~/utils/i18n.server'
import { EmailLayout, greeting, styles, type BaseEmailProps } from './layout'

export interface ShareLink {
  /** Already translated label, e.g. "Share on Facebook". */
  label: string
  href: string
}

export interface SignatureThanksProps extends BaseEmailProps {
  signerName: string
  /** Current number of confirmed signatures. */
  signatureCount: number
  shareLinks: ShareLink[]
  /** When present, a short donation appeal links here. */
  donateUrl?: string
}

export function subject({ locale, campaignTitle }: Pick<SignatureThanksProps, 'locale' | 'campaignTitle'>): string {
  return makeTranslator(locale)('email.thanks.subject', { title: campaignTitle })
}

/** Sent once a signature has been confirmed. */
export function SignatureThanksEmail(props: SignatureThanksProps) {
  const { locale, campaignTitle, campaignUrl, organisationName, appUrl, signerName, signatureCount, shareLinks, donateUrl } = props
  const t = makeTranslator(locale)
  return (
    <EmailLayout brand={props.brand} locale={locale} preview={t('email.thanks.preview')} organisationName={organisationName} appUrl={appUrl}>
      <Heading as="h1" style={styles.heading}>
        {t('email.thanks.heading')}
      </Heading>
      <Text style={styles.text}>{greeting(t, signerName)}</Text>
      <Text style={styles.text}>{t('email.thanks.confirmed', { title: campaignTitle })}</Text>
      <Text style={styles.strong}>{t('email.thanks.count', { count: signatureCount })}</Text>
      <Text style={styles.text}>{t('email.thanks.shareIntro')}</Text>
      <Section>
        {shareLinks.map((link) => (
          <Text key={`${link.label}|${link.href}`} style={styles.listItem}>
            <Link href={link.href} style={styles.link}>
              {link.label}
            </Link>
          </Text>
        ))}
        <Text style={styles.listItem}>
          <Link href={campaignUrl} style={styles.link}>
            {campaignUrl}
          </Link>
        </Text>
      </Section>
      {donateUrl ? (
        <Section style={{ marginTop: '16px' }}>
          <Text style={styles.text}>{t('email.thanks.donateIntro')}</Text>
          <Text style={styles.text}>
            <Link href={donateUrl} style={styles.link}>
              {t('email.thanks.donateLink')}
            </Link>
          </Text>
        </Section>
      ) : null}
    </EmailLayout>
  )
}

export default SignatureThanksEmail
