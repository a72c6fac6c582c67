import { Heading, Link, Section, Text } from '@react-email/components'
import { makeTranslator } from '~/utils/i18n.server'
import { BrandButton, EmailLayout, greeting, styles, type BaseEmailProps } from './layout'

export interface SignatureConfirmationProps extends BaseEmailProps {
  signerName: string
  /** Absolute URL that confirms the signature. */
  confirmUrl: string
}

export function subject({ locale, campaignTitle }: Pick<SignatureConfirmationProps, 'locale' | 'campaignTitle'>): string {
  return makeTranslator(locale)('email.confirm.subject', { title: campaignTitle })
}

/** Sent right after signing: asks the signer to confirm their address. */
export function SignatureConfirmationEmail(props: SignatureConfirmationProps) {
  const { locale, campaignTitle, campaignUrl, organisationName, appUrl, signerName, confirmUrl } = props
  const t = makeTranslator(locale)
  return (
    <EmailLayout brand={props.brand} locale={locale} preview={t('email.confirm.preview')} organisationName={organisationName} appUrl={appUrl}>
      <Heading as="h1" style={styles.heading}>
        {t('email.confirm.heading')}
      </Heading>
      <Text style={styles.text}>{greeting(t, signerName)}</Text>
      <Text style={styles.text}>
        {t('email.confirm.intro', { title: campaignTitle })}{' '}
        <Link href={campaignUrl} style={styles.link}>
          {t('email.common.viewPetition')}
        </Link>
      </Text>
      <Text style={styles.text}>{t('email.confirm.action')}</Text>
      <Section style={styles.buttonSection}>
        <BrandButton href={confirmUrl}>{t('email.confirm.button')}</BrandButton>
      </Section>
      <Text style={styles.strong}>{t('email.confirm.notCounted')}</Text>
      <Text style={styles.muted}>{t('email.confirm.copyLink')}</Text>
      <Text style={styles.plainUrl}>
        <Link href={confirmUrl} style={styles.link}>
          {confirmUrl}
        </Link>
      </Text>
      <Text style={styles.muted}>{t('email.confirm.ignore')}</Text>
    </EmailLayout>
  )
}

export default SignatureConfirmationEmail
