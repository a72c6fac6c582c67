import { Heading, Link, Text } from '@react-email/components'
import { makeTranslator } from '~/utils/i18n.server'
import { EmailLayout, greeting, styles, type BaseEmailProps } from './layout'

export interface AlreadySignedProps extends BaseEmailProps {
  signerName: string
}

export function subject({ locale, campaignTitle }: Pick<AlreadySignedProps, 'locale' | 'campaignTitle'>): string {
  return makeTranslator(locale)('email.alreadySigned.subject', { title: campaignTitle })
}

/** Sent when a confirmed signer tries to sign the same petition again. */
export function AlreadySignedEmail(props: AlreadySignedProps) {
  const { locale, campaignTitle, campaignUrl, organisationName, appUrl, signerName } = props
  const t = makeTranslator(locale)
  return (
    <EmailLayout brand={props.brand} locale={locale} preview={t('email.alreadySigned.preview')} organisationName={organisationName} appUrl={appUrl}>
      <Heading as="h1" style={styles.heading}>
        {t('email.alreadySigned.heading')}
      </Heading>
      <Text style={styles.text}>{greeting(t, signerName)}</Text>
      <Text style={styles.text}>{t('email.alreadySigned.intro', { title: campaignTitle })}</Text>
      <Text style={styles.text}>
        {t('email.alreadySigned.counted')} {t('email.alreadySigned.nothingToDo')}
      </Text>
      <Text style={styles.text}>{t('email.alreadySigned.share')}</Text>
      <Text style={styles.text}>
        <Link href={campaignUrl} style={styles.link}>
          {campaignUrl}
        </Link>
      </Text>
    </EmailLayout>
  )
}

export default AlreadySignedEmail
