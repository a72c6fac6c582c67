import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { requirePublicCampaign } from '~/http/campaign.server'
import { getPrivacyNotice } from '~/models/privacy-notice.server'
import type { PageHandle } from '~/root'
import { publicHeaders } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

// The organisation's privacy notice, linked beside every sign form of its campaigns (decision
// 0047): who holds a signer's details, how to reach them, how long each kind is kept, which of
// their systems receive it, and how to see or erase it at /my-data. /privacy stays the platform's.

export const handle: PageHandle = { hydrate: false }

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const notice = await getPrivacyNotice(campaign.organisation.id)
  const { organisation } = campaign
  return data(
    {
      pageTitle: makeTranslator(locale)('privacy.org.pageTitle', { organisation: organisation.name }),
      campaign: { slug: campaign.slug, title: campaign.content.title, contentLocale: campaign.contentLocale },
      organisation: {
        name: organisation.name,
        contactEmail: organisation.contact_email,
        websiteUrl: organisation.website_url,
        privacyUrl: organisation.privacyUrl,
      },
      ...notice,
    },
    { headers: publicHeaders() },
  )
}

export const headers = ({ loaderHeaders }: { loaderHeaders: Headers }) => loaderHeaders
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function OrganisationPrivacyNotice() {
  const { campaign, organisation, retention, addressHashDays, readers } = useLoaderData<typeof loader>()
  const t = useT()
  const org = { organisation: organisation.name }
  const hasContact = Boolean(organisation.contactEmail || organisation.websiteUrl || organisation.privacyUrl)
  return (
    <div className="wrap narrow">
      <h1>{t('privacy.org.title', org)}</h1>
      <p className="lede">{t('privacy.org.lede', { ...org, campaign: campaign.title })}</p>

      <h2>{t('privacy.org.holderHeading')}</h2>
      <p>{t('privacy.org.holder', org)}</p>

      <h2>{t('privacy.org.contactHeading', org)}</h2>
      {hasContact ? (
        <ul>
          {organisation.contactEmail ? (
            <li>
              {t('privacy.org.contactEmail')} <a href={`mailto:${organisation.contactEmail}`}>{organisation.contactEmail}</a>
            </li>
          ) : null}
          {organisation.websiteUrl ? (
            <li>
              {t('privacy.org.website')} <a href={organisation.websiteUrl}>{organisation.websiteUrl}</a>
            </li>
          ) : null}
          {organisation.privacyUrl ? (
            <li>
              {t('privacy.org.ownPolicy')} <a href={organisation.privacyUrl}>{organisation.privacyUrl}</a>
            </li>
          ) : null}
        </ul>
      ) : (
        <p>{t('privacy.org.noContact', org)}</p>
      )}

      <h2>{t('privacy.org.keptHeading')}</h2>
      <ul>
        <li>{t('privacy.org.keptSigners', { period: t('privacy.org.months', { count: retention.signerMonths }) })}</li>
        <li>{t('privacy.org.keptUnconfirmed', { period: t('privacy.org.days', { count: retention.unconfirmedDays }) })}</li>
        <li>{t('privacy.org.keptDonors', { period: t('privacy.org.years', { count: retention.financialYears }) })}</li>
        <li>{t('privacy.org.keptAddressHash', { period: t('privacy.org.days', { count: addressHashDays }) })}</li>
      </ul>

      <h2>{t('privacy.org.receiveHeading')}</h2>
      {readers.length > 0 ? (
        <>
          <p>{t('privacy.org.receiveIntro', org)}</p>
          <ul aria-label={t('privacy.org.receiveHeading')}>
            {readers.map((reader, index) => (
              <li key={index}>{t(reader.crmSync ? 'privacy.org.receiveWithEmail' : 'privacy.org.receiveWithoutEmail', { name: reader.name })}</li>
            ))}
          </ul>
          <p>{t('privacy.org.namesAndEmails')}</p>
        </>
      ) : (
        <p>{t('privacy.org.receiveNone', org)}</p>
      )}
      <p>{t('privacy.org.names')}</p>

      <h2>{t('privacy.org.yourDataHeading')}</h2>
      <p>{t('privacy.org.yourData')}</p>
      <p>
        <a href="/my-data">{t('privacy.org.yourDataLink')}</a>
      </p>

      <p>
        {t('privacy.org.platform')} <Link to="/privacy">{t('privacy.org.platformLink')}</Link>
      </p>
      <p>
        <Link to={`/campaigns/${campaign.slug}`}>{t('privacy.org.back')}</Link>
      </p>
    </div>
  )
}
