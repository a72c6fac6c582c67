import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { getUnsubscribeTarget, unsubscribe, type UnsubscribeScope } from '~/models/email-preferences.server'
import { parseSubmission, readForm } from '~/utils/form.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { readUnsubscribeToken } from '~/utils/unsubscribe.server'
import { useT } from '~/utils/use-t'

// The link in every update email and its List-Unsubscribe header (decision 0011). The signed
// token is the authority: no session and no CSRF token, since a mail provider's one-click POST
// (RFC 8058) carries neither. Links in emails carry ?lang= with the signer's language.

export const UnsubscribeSchema = z.object({
  scope: z.enum(['campaign', 'organisation'] as const satisfies readonly UnsubscribeScope[], { errorMap: () => ({ message: 'unsubscribe.error.scope' }) }),
})

// The token is in the URL: never cache these pages (nor let them be indexed).
const PRIVATE = { 'Cache-Control': 'no-store' }

/** RFC 8058: a mail provider's one-click request is a POST whose body is exactly this field. */
function isOneClick(form: FormData) {
  return form.get('List-Unsubscribe') === 'One-Click'
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const signatureId = readUnsubscribeToken(params.token ?? '')
  if (!signatureId) {
    return data({ state: 'invalid' as const, pageTitle: t('unsubscribe.invalidTitle'), target: null }, { status: 404, headers: PRIVATE })
  }
  const target = await getUnsubscribeTarget(signatureId, locale)
  if (!target) return data({ state: 'gone' as const, pageTitle: t('unsubscribe.goneTitle'), target: null }, { headers: PRIVATE })
  return data(
    {
      state: 'choose' as const,
      pageTitle: t('unsubscribe.title'),
      target: {
        campaign: target.campaign,
        organisationName: target.organisation.name,
        unsubscribed: target.unsubscribed,
      },
    },
    { headers: PRIVATE },
  )
}

export async function action({ request, params }: ActionFunctionArgs) {
  const t = makeTranslator(await getLocale(request))
  const signatureId = readUnsubscribeToken(params.token ?? '')
  if (!signatureId) {
    return data({ state: 'invalid' as const, pageTitle: t('unsubscribe.invalidTitle'), result: null }, { status: 404, headers: PRIVATE })
  }
  const form = await readForm(request)
  let scope: UnsubscribeScope = 'campaign'
  const oneClick = isOneClick(form)
  if (!oneClick) {
    const submission = parseSubmission(form, UnsubscribeSchema)
    if (submission.status !== 'success') {
      return data({ state: 'error' as const, pageTitle: t('unsubscribe.title'), result: submission.reply() }, { status: 400, headers: PRIVATE })
    }
    scope = submission.value.scope
  }
  const outcome = await unsubscribe(signatureId, scope, oneClick ? 'one-click' : 'page')
  if (outcome.status === 'gone') {
    // Nothing is held any more, so nothing will be sent: for a mail provider that is success.
    return data({ state: 'gone' as const, pageTitle: t('unsubscribe.goneTitle'), result: null }, { headers: PRIVATE })
  }
  return data({ state: 'done' as const, scope: outcome.scope, pageTitle: t('unsubscribe.doneTitle'), result: null }, { headers: PRIVATE })
}

export const headers = ({ loaderHeaders, actionHeaders }: { loaderHeaders: Headers; actionHeaders: Headers }) =>
  actionHeaders.get('Cache-Control') ? actionHeaders : loaderHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function Unsubscribe() {
  const loaderData = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const state = actionData && actionData.state !== 'error' ? actionData.state : loaderData.state
  const target = loaderData.target

  if (state === 'invalid' || (state !== 'gone' && !target)) {
    return (
      <div className="wrap narrow">
        <h1>{t('unsubscribe.invalidTitle')}</h1>
        <p>{t('unsubscribe.invalidBody')}</p>
        <p>
          <Link to="/">{t('error.home')}</Link>
        </p>
      </div>
    )
  }
  if (state === 'gone' || !target) {
    return (
      <div className="wrap narrow">
        <h1>{t('unsubscribe.goneTitle')}</h1>
        <p>{t('unsubscribe.goneBody')}</p>
        <p>
          <Link to="/">{t('error.home')}</Link>
        </p>
      </div>
    )
  }
  const campaignLink = target.campaign.isPublic ? (
    <p>
      <Link to={`/campaigns/${target.campaign.slug}`}>{t('unsubscribe.backToCampaign', { campaign: target.campaign.title })}</Link>
    </p>
  ) : null

  if (state === 'done' && actionData && 'scope' in actionData) {
    return (
      <div className="wrap narrow">
        <h1>{t('unsubscribe.doneTitle')}</h1>
        <div role="status">
          <p className="success">
            {actionData.scope === 'organisation'
              ? t('unsubscribe.doneOrganisation', { organisation: target.organisationName })
              : t('unsubscribe.doneCampaign', { campaign: target.campaign.title })}
          </p>
        </div>
        <p>{t('unsubscribe.doneNote')}</p>
        {campaignLink}
      </div>
    )
  }

  const scopeError = actionData?.state === 'error' ? actionData.result?.error?.scope?.[0] : undefined
  const busy = navigation.state === 'submitting'
  const already = target.unsubscribed
  return (
    <div className="wrap narrow">
      <h1>{t('unsubscribe.title')}</h1>
      <p>{t('unsubscribe.intro', { organisation: target.organisationName })}</p>
      {already.organisation ? (
        <p className="success" role="status">
          {t('unsubscribe.alreadyOrganisation', { organisation: target.organisationName })}
        </p>
      ) : already.campaign ? (
        <p className="success" role="status">
          {t('unsubscribe.alreadyCampaign', { campaign: target.campaign.title })}
        </p>
      ) : null}
      <Form method="post" className="panel stack" aria-labelledby="unsubscribe-choice">
        <fieldset className="choice-group" aria-describedby={scopeError ? 'scope-error' : undefined}>
          <legend id="unsubscribe-choice">{t('unsubscribe.choose')}</legend>
          {scopeError ? (
            <p className="field-error" id="scope-error">
              {t.message(scopeError)}
            </p>
          ) : null}
          <div className="choices">
            <div className="choice">
              <input type="radio" name="scope" value="campaign" id="scope-campaign" defaultChecked={!already.campaign} />
              <label htmlFor="scope-campaign">
                {t('unsubscribe.scopeCampaign')} <span lang={target.campaign.contentLocale}>“{target.campaign.title}”</span>
              </label>
            </div>
            <div className="choice">
              <input type="radio" name="scope" value="organisation" id="scope-organisation" defaultChecked={already.campaign} />
              <label htmlFor="scope-organisation">{t('unsubscribe.scopeOrganisation', { organisation: target.organisationName })}</label>
            </div>
          </div>
        </fieldset>
        <p className="hint">{t('unsubscribe.transactionalNote')}</p>
        <div>
          <button type="submit" className="button" disabled={busy}>
            {t('unsubscribe.button')}
          </button>
        </div>
      </Form>
      {campaignLink}
    </div>
  )
}
