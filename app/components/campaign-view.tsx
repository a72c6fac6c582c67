import { getFormProps, getInputProps, getSelectProps, useForm, type SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { SerializeFrom } from '@remix-run/node'
import { useEffect, useRef } from 'react'
import { Form, Link, useActionData, useLocation, useNavigation } from '@remix-run/react'
import type { CampaignViewData } from '~/components/campaign-view.server'
import { CampaignTimeline, LatestResponse } from '~/components/campaign-timeline'
import { DonationSummary } from '~/components/donation-summary'
import { FormField } from '~/components/form-field'
import { ShareLinks } from '~/components/share-links'
import { SignCampaignSchema } from '~/models/signature-schema'
import { formatDate, formatNumber, timeAgo } from '~/utils/i18n'
import { useLocale, useMessage, useT } from '~/utils/use-t'
import { ErrorSummary } from '~/components/error-summary'

export type CampaignViewProps = SerializeFrom<CampaignViewData>

// The public campaign page's body, shared by /campaigns/:slug and the workspace's preview.

/** The sign form; `embedded` for the partner-site embed (decision 0038): its links open outside the frame. */
export function SignForm({ view, preview, embedded }: { view: CampaignViewProps; preview: boolean; embedded?: { partner: string } }) {
  const { campaign, countries, tracking } = view
  const actionData = useActionData<{ result?: SubmissionResult<string[]> } | undefined>()
  const navigation = useNavigation()
  const t = useT()
  const locale = useLocale()
  const [form, fields] = useForm({
    id: 'sign',
    lastResult: actionData && 'result' in actionData ? actionData.result : undefined,
    shouldValidate: 'onSubmit',
    // On input, not on blur: an error cleared on blur moves the button as the pointer reaches it.
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SignCampaignSchema }),
  })
  const tr = useMessage()
  const fieldErrors = [fields.fullName, fields.email, fields.country, fields.postcode]
    .filter((f) => f.errors?.length)
    .map((f) => ({ id: f.id, message: tr(f.errors![0])! }))
  const formErrors = (form.errors ?? []).map((e) => tr(e)!)
  const fieldError = (field: { errors?: string[] }) => tr(field.errors?.[0])

  const location = useLocation()
  const errorCount = fieldErrors.length + formErrors.length
  const baseTitle = useRef<string | null>(null)
  useEffect(() => {
    // With JavaScript the page title also starts with the number of errors (the server does it without).
    const prefix = errorCount > 0 ? `${t('reach.sign.errorsTitle', { count: errorCount })}: ` : ''
    if (baseTitle.current === null) baseTitle.current = prefix && document.title.startsWith(prefix) ? document.title.slice(prefix.length) : document.title
    document.title = `${prefix}${baseTitle.current}`
  }, [errorCount, t])
  return (
    // A refused submission without JavaScript lands on the form (#sign), not the top of the page.
    <Form method="post" action={`${location.pathname}${location.search}#sign`} {...getFormProps(form)} aria-labelledby="sign-heading" data-sign-form="">
      <h2 id="sign-heading">{t('sign.heading')}</h2>
      {preview ? <p className="notice">{t('admin.preview.signingOff')}</p> : null}
      <ErrorSummary heading={t('sign.errorSummary')} headingLevel={3} formErrors={formErrors} fieldErrors={fieldErrors} />
      {/* In the preview the form is there to be seen, not sent. */}
      <fieldset className="plain" disabled={preview}>
        <FormField id={fields.fullName.id} label={t('sign.fullName')} error={fieldError(fields.fullName)}>
          <input {...getInputProps(fields.fullName, { type: 'text' })} autoComplete="name" key={fields.fullName.key} />
        </FormField>
        <FormField id={fields.email.id} label={t('sign.email')} hint={t('sign.emailHint')} error={fieldError(fields.email)}>
          <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="email" spellCheck={false} key={fields.email.key} />
        </FormField>
        <FormField id={fields.country.id} label={t('sign.country')} error={fieldError(fields.country)}>
          <select {...getSelectProps(fields.country)} autoComplete="country" key={fields.country.key}>
            <option value="">{t('sign.countryChoose')}</option>
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </FormField>
        <FormField
          id={fields.postcode.id}
          label={
            <>
              {t('sign.postcode')} <span className="hint">{t('sign.optional')}</span>
            </>
          }
          error={fieldError(fields.postcode)}
        >
          <input {...getInputProps(fields.postcode, { type: 'text' })} autoComplete="postal-code" key={fields.postcode.key} />
        </FormField>
        <div className="check">
          <input {...getInputProps(fields.consentUpdates, { type: 'checkbox' })} key={fields.consentUpdates.key} />
          <label htmlFor={fields.consentUpdates.id} lang={campaign.consentText.updates ? campaign.contentLocale : undefined}>
            {campaign.consentText.updates || t('sign.consentUpdates')}
          </label>
        </div>
        <div className="check">
          <input {...getInputProps(fields.consentShowName, { type: 'checkbox' })} key={fields.consentShowName.key} />
          <label htmlFor={fields.consentShowName.id} lang={campaign.consentText.showName ? campaign.contentLocale : undefined}>
            {campaign.consentText.showName || t('sign.consentShowName')}
          </label>
        </div>
        <div className="hp-field">
          <label htmlFor="sign-website">{t('sign.honeypot')}</label>
          <input id="sign-website" name="website" type="text" tabIndex={-1} autoComplete="off" defaultValue="" />
        </div>
        {embedded ? <input type="hidden" name="partner" value={embedded.partner} /> : null}
        {tracking.source ? <input type="hidden" name="source" value={tracking.source} /> : null}
        {tracking.utmSource ? <input type="hidden" name="utmSource" value={tracking.utmSource} /> : null}
        {tracking.utmMedium ? <input type="hidden" name="utmMedium" value={tracking.utmMedium} /> : null}
        {tracking.utmCampaign ? <input type="hidden" name="utmCampaign" value={tracking.utmCampaign} /> : null}
        {campaign.attackMode && !preview ? (
          // Attack mode (decision 0030): the page's script puts the proof-of-work widget here, which
          // fetches a fresh challenge (no cached page carries one). Without JavaScript nothing shows
          // and the signature is held for review instead.
          <div className="sign-challenge" data-testid="sign-challenge" data-challenge={`/campaigns/${encodeURIComponent(campaign.slug)}/challenge`} />
        ) : null}
        <p className="privacy-note">
          {t('sign.privacy', { organisation: campaign.organisationName })} {/* The organisation's own notice (decision 0047); /privacy is the platform's. */}
          {embedded ? (
            <a href={`/campaigns/${campaign.slug}/privacy?lang=${locale}`} target="_blank" rel="noopener">
              {t('sign.privacyLink')}
              <span className="visually-hidden"> {t('share.newWindow')}</span>
            </a>
          ) : (
            <Link to={`/campaigns/${campaign.slug}/privacy`}>{t('sign.privacyLink')}</Link>
          )}
        </p>
        <button type="submit" className="button wide" disabled={preview || navigation.state === 'submitting'}>
          {t('sign.submit')}
        </button>
      </fieldset>
    </Form>
  )
}

/** Who is behind the campaign, and when it started (and closes). */
function CampaignByline({ campaign }: { campaign: CampaignViewProps['campaign'] }) {
  const t = useT()
  const locale = useLocale()
  const { organisation } = campaign
  const closed = campaign.status === 'closed'
  return (
    <div className="campaign-byline">
      {organisation.logo ? (
        <img
          className="org-logo"
          src={organisation.logo.url}
          alt={t('reach.campaign.logoAlt', { organisation: organisation.name })}
          width={organisation.logo.width && organisation.logo.height ? Math.round((organisation.logo.width / organisation.logo.height) * 40) : undefined}
          height={40}
        />
      ) : null}
      <p>
        {t('reach.campaign.byLabel')}{' '}
        {organisation.websiteUrl ? (
          <a href={organisation.websiteUrl} rel="noopener">
            {organisation.name}
          </a>
        ) : (
          <strong>{organisation.name}</strong>
        )}
        <br />
        <span className="muted">
          {t('reach.campaign.started', { date: formatDate(locale, campaign.startsAt) })}
          {campaign.closesAt ? (
            <>
              {' · '}
              {t(closed ? 'reach.campaign.closed' : 'reach.campaign.closes', { date: formatDate(locale, campaign.closesAt) })}
            </>
          ) : null}
        </span>
      </p>
    </div>
  )
}

/** Progress toward the next milestone ("137 signatures of 200, help us reach 200"), the final goal beside it. */
export function MilestoneProgress({ count, next, goal, id }: { count: number; next: number; goal: number; id: string }) {
  const t = useT()
  const labelId = `${id}-label`
  const reached = count >= goal
  return (
    <div className="progress" id={id} data-live={id}>
      <p className="count" id={labelId}>
        <strong data-count>{t(reached ? 'reach.progress.reached' : 'reach.progress.toNext', { count, next })}</strong>{' '}
        {next !== goal || reached ? <span className="hint">{t('campaign.goal', { goal })}</span> : null}
      </p>
      <progress max={next} value={Math.min(count, next)} aria-labelledby={labelId}>
        {Math.round((Math.min(count, next) / next) * 100)}%
      </progress>
    </div>
  )
}

/** Recent signers who agreed to be shown, with how long ago ("3 minutes ago"). */
function RecentSigners({ signers, now }: { signers: CampaignViewProps['recentSigners']; now: string }) {
  // The wrapper stays when empty, so a refresh (app/scripts/campaign-page.ts) can fill it.
  return <div data-live="recent-signers">{signers.length > 0 ? <RecentSignersList signers={signers} now={now} /> : null}</div>
}

function RecentSignersList({ signers, now }: { signers: CampaignViewProps['recentSigners']; now: string }) {
  const t = useT()
  const locale = useLocale()
  return (
    <section aria-labelledby="recent-heading" className="recent">
      <h2 id="recent-heading">{t('campaign.recentHeading')}</h2>
      <ul className="recent-signers" data-recent-signers>
        {signers.map((s, i) => (
          <li key={i}>
            {t('campaign.recentSigner', { name: s.firstName, country: s.country })}{' '}
            <time className="hint" dateTime={s.confirmedAt}>
              {timeAgo(locale, s.confirmedAt, now)}
            </time>
          </li>
        ))}
      </ul>
    </section>
  )
}

export function CampaignView({ view, preview = false }: { view: CampaignViewProps; preview?: boolean }) {
  const { campaign, topCountries, recentSigners, canonicalUrl, donationSummary, milestones, timeline, latestResponse } = view
  const t = useT()
  const locale = useLocale()
  const signing = campaign.signable || (preview && campaign.status === 'draft')
  return (
    <div className="wrap">
      <article className="campaign-layout">
        <header className="campaign-head">
          <h1 lang={campaign.contentLocale}>{campaign.title}</h1>
          <CampaignByline campaign={campaign} />
          <div className="first-screen">
            <MilestoneProgress id="campaign-progress" count={campaign.signatureCount} next={view.nextTarget} goal={campaign.signatureGoal} />
            {signing ? (
              <p className="sign-jump">
                <a className="button" href="#sign">
                  {t('reach.campaign.signLink')}
                </a>
              </p>
            ) : null}
          </div>
        </header>
        <div className="campaign-intro">
          {campaign.heroImage ? (
            <img
              className="hero-image"
              src={campaign.heroImage.url}
              alt={campaign.heroImage.alt}
              lang={campaign.contentLocale}
              width={campaign.heroImage.width ?? undefined}
              height={campaign.heroImage.height ?? undefined}
            />
          ) : null}
          <p className="lede" lang={campaign.contentLocale}>
            {campaign.summary}
          </p>
          <section className="demand" aria-labelledby="demand-heading">
            <h2 id="demand-heading">{t('campaign.demandHeading')}</h2>
            <p>
              <strong lang={campaign.contentLocale}>{campaign.targetName}</strong>
              {campaign.targetRole ? <span lang={campaign.contentLocale}>, {campaign.targetRole}</span> : null}
            </p>
            <p lang={campaign.contentLocale}>{campaign.demand}</p>
          </section>
        </div>
        <aside className="panel sign-panel" aria-label={t('campaign.signPanel')}>
          {signing ? (
            <SignForm view={view} preview={preview} />
          ) : campaign.phase === 'not-open' && campaign.opensAt ? (
            <div className="closed-banner">
              <h2>{t('campaign.notOpenHeading')}</h2>
              <p>{t('campaign.notOpen', { date: formatDate(locale, campaign.opensAt) })}</p>
            </div>
          ) : (
            <div className="closed-banner">
              <h2>{t('campaign.closedHeading')}</h2>
              <p>{t('campaign.closed')}</p>
              <p>{t('campaign.finalCount', { count: campaign.signatureCount })}</p>
            </div>
          )}
          <RecentSigners signers={recentSigners} now={view.now} />
          <DonationSummary slug={campaign.slug} {...donationSummary} preview={preview} />
          {topCountries.length > 0 ? (
            <section aria-labelledby="countries-heading">
              <h2 id="countries-heading">{t('campaign.countriesHeading')}</h2>
              <table className="data">
                <caption className="visually-hidden">{t('campaign.countriesHeading')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('campaign.country')}</th>
                    <th scope="col">{t('campaign.signatures')}</th>
                  </tr>
                </thead>
                <tbody>
                  {topCountries.map((c) => (
                    <tr key={c.code}>
                      <td>{c.name}</td>
                      <td>{formatNumber(locale, c.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
        </aside>
        <div className="campaign-rest">
          {latestResponse ? <LatestResponse response={latestResponse} targetName={campaign.targetName} /> : null}
          <section aria-labelledby="story-heading">
            <h2 id="story-heading" className="visually-hidden">
              {t('campaign.storyHeading')}
            </h2>
            <div className="story" lang={campaign.storyLocale} dangerouslySetInnerHTML={{ __html: campaign.storyHtml }} />
          </section>
          {milestones.length > 0 ? (
            <section aria-labelledby="milestones-heading">
              <h2 id="milestones-heading">{t('campaign.milestonesHeading')}</h2>
              <ul className="milestones">
                {milestones.map((m) => (
                  <li key={m.threshold} className={m.reached ? 'reached' : undefined}>
                    <strong>{t('campaign.milestone', { count: m.threshold })}</strong>
                    {m.reached ? <span className="milestone-reached"> ({t('campaign.milestoneReached')})</span> : null}:{' '}
                    <span lang={campaign.contentLocale}>{m.description}</span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <CampaignTimeline items={timeline} />
          <ShareLinks url={canonicalUrl} title={campaign.title} headingId="share-heading" />
        </div>
      </article>
    </div>
  )
}
