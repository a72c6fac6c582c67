import { Heading, Hr, Link, Section, Text } from '@react-email/components'
import { makeTranslator } from '~/utils/i18n.server'
import { EmailLayout, styles, type BaseEmailProps } from './layout'

export interface CampaignUpdateProps extends BaseEmailProps {
  /** The update's subject, as the campaigner wrote it. */
  subject: string
  /** The update's body as sanitised HTML (renderMarkdown). */
  bodyHtml: string
  /** The signer's own unsubscribe link (or a placeholder the sender fills in per recipient). */
  unsubscribeUrl: string
  /** Marks a test sent to a campaigner. */
  test?: boolean
}

export function subject({ subject, test, locale }: Pick<CampaignUpdateProps, 'subject' | 'test' | 'locale'>): string {
  return test ? makeTranslator(locale)('email.update.testSubject', { subject }) : subject
}

/** An update to the signers of a campaign who asked to hear about it. */
export function CampaignUpdateEmail(props: CampaignUpdateProps) {
  const { locale, campaignTitle, campaignUrl, organisationName, appUrl, bodyHtml, unsubscribeUrl } = props
  const t = makeTranslator(locale)
  return (
    <EmailLayout
      brand={props.brand}
      locale={locale}
      preview={t('email.update.preview', { title: campaignTitle })}
      organisationName={organisationName}
      appUrl={appUrl}
      footerNote={t('email.update.why', { title: campaignTitle })}
    >
      <Text style={styles.muted}>{t('email.update.kicker', { title: campaignTitle })}</Text>
      <Heading as="h1" style={styles.heading}>
        {props.subject}
      </Heading>
      <Section>
        <div style={styles.text} dangerouslySetInnerHTML={{ __html: bodyHtml }} />
      </Section>
      <Text style={styles.text}>
        <Link href={campaignUrl} style={styles.link}>
          {t('email.update.campaignLink', { title: campaignTitle })}
        </Link>
      </Text>
      <Text style={styles.plainUrl}>{campaignUrl}</Text>
      <Hr style={styles.hr} />
      <Text style={styles.footer}>
        {t('email.update.unsubscribeIntro')}{' '}
        <Link href={unsubscribeUrl} style={styles.link}>
          {t('email.update.unsubscribe')}
        </Link>
      </Text>
    </EmailLayout>
  )
}

export default CampaignUpdateEmail
