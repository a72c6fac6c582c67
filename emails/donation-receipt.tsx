import { Heading, Link, Section, Text } from '@react-email/components'
import { makeTranslator } from '~/utils/i18n.server'
import { EmailLayout, greeting, siteLabel, styles, type BaseEmailProps } from './layout'

export interface DonationReceiptProps extends BaseEmailProps {
  donorName: string
  /** Already formatted in the donor's language, e.g. "€25.00". */
  amount: string
  /** Already formatted date of the payment. */
  date: string
  /** The donation's reference, e.g. "D-42". */
  reference: string
  frequency: 'one_off' | 'monthly'
  /** Monthly gifts: the signed page where the donor stops the gift. */
  manageUrl?: string
}

export function subject({ locale, campaignTitle, frequency }: Pick<DonationReceiptProps, 'locale' | 'campaignTitle' | 'frequency'>): string {
  return makeTranslator(locale)(frequency === 'monthly' ? 'email.receipt.subjectMonthly' : 'email.receipt.subject', { title: campaignTitle })
}

/** Sent after each successful payment: once for a one-off gift, each month for a monthly one. */
export function DonationReceiptEmail(props: DonationReceiptProps) {
  const { locale, campaignTitle, campaignUrl, organisationName, appUrl, donorName, amount, date, reference, frequency, manageUrl } = props
  const t = makeTranslator(locale)
  const rows: [string, string][] = [
    [t('email.receipt.amount'), amount],
    [t('email.receipt.frequency'), t(frequency === 'monthly' ? 'email.receipt.monthly' : 'email.receipt.oneOff')],
    [t('email.receipt.date'), date],
    [t('email.receipt.campaign'), campaignTitle],
    [t('email.receipt.reference'), reference],
  ]
  return (
    <EmailLayout
      brand={props.brand}
      locale={locale}
      preview={t('email.receipt.preview', { amount })}
      organisationName={organisationName}
      appUrl={appUrl}
      footerNote={t('email.receipt.footerNote', { site: siteLabel(appUrl) })}
    >
      <Heading as="h1" style={styles.heading}>
        {t('email.receipt.heading')}
      </Heading>
      <Text style={styles.text}>{greeting(t, donorName)}</Text>
      <Text style={styles.text}>{t('email.receipt.intro', { title: campaignTitle })}</Text>
      <Section>
        {rows.map(([label, value]) => (
          <Text key={label} style={styles.listItem}>
            <strong>{label}:</strong> {value}
          </Text>
        ))}
      </Section>
      <Text style={styles.text}>
        <Link href={campaignUrl} style={styles.link}>
          {t('email.common.viewPetition')}
        </Link>
      </Text>
      {frequency === 'monthly' && manageUrl ? (
        <Section>
          <Text style={styles.text}>{t('email.receipt.monthlyStop')}</Text>
          <Text style={styles.text}>
            <Link href={manageUrl} style={styles.link}>
              {t('email.receipt.stopLink')}
            </Link>
          </Text>
          <Text style={styles.plainUrl}>{manageUrl}</Text>
        </Section>
      ) : null}
    </EmailLayout>
  )
}

export default DonationReceiptEmail
