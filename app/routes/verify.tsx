import crypto from 'node:crypto'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, unstable_parseMultipartFormData, type UploadHandler } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { findPackByCode, formatCode, manifestOfPack } from '~/models/delivery-pack.server'
import { VerifyQuerySchema } from '~/models/verify-schema.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { countryName } from '~/utils/countries.server'
import { NO_STORE } from '~/utils/http.server'
import { formatDate, formatNumber, type Locale, messageKey } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { requestContext } from '~/utils/request.server'
import { rateLimitKey } from '~/utils/security.server'
import { useLocale, useT } from '~/utils/use-t'

// The public check of a delivery pack's code (decision 0013): counts only, never a name.

/** A CSV up to this size can be checked here; a bigger one with sha256sum and the manifest shown. */
const MAX_CSV_BYTES = 256 * 1024 * 1024

const headers = { 'Cache-Control': NO_STORE }

async function allowed(request: Request, context: LoaderFunctionArgs['context']) {
  const { ip } = requestContext(request, context)
  const result = await hitRateLimit(`verify:ip:${rateLimitKey(ip)}`, { limit: 60, windowSeconds: 60 })
  return result.allowed
}

async function lookUp(raw: string, locale: Locale) {
  const parsed = VerifyQuerySchema.safeParse({ code: raw })
  if (!parsed.success) return { status: 400, error: parsed.error.issues[0]?.message ?? 'verify.error.format', pack: null }
  const found = await findPackByCode(parsed.data.code, locale)
  if (!found) return { status: 404, error: messageKey('verify.notFound'), pack: null }
  return {
    status: 200,
    error: null,
    pack: {
      code: formatCode(found.code),
      cutOff: found.cutOff.toISOString(),
      confirmedTotal: found.confirmedTotal,
      namedCount: found.namedCount,
      countries: Object.entries(found.countryCounts)
        .map(([code, count]) => ({ code, name: countryName(code, locale), count }))
        .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, locale)),
      campaign: { title: found.campaign.title, slug: found.campaign.public ? found.campaign.slug : null },
      manifest: manifestOfPack(found.pack),
      listSha256: found.pack.listSha256,
    },
  }
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const raw = new URL(request.url).searchParams.get('code')
  const base = { pageTitle: t('verify.title'), code: raw ?? '' }
  if (raw === null || raw.trim() === '') return data({ ...base, error: null, pack: null, checked: false }, { headers })
  if (!(await allowed(request, context)))
    return data({ ...base, error: messageKey('verify.error.rateLimited'), pack: null, checked: true }, { status: 429, headers })
  const result = await lookUp(raw, locale)
  return data({ ...base, error: result.error, pack: result.pack, checked: true }, { status: result.status, headers })
}

/** Hashes an uploaded CSV as it arrives (never held whole); other fields are short text. */
function hashingUploadHandler(): UploadHandler {
  return async (part) => {
    if (part.name === 'csv' && part.filename !== undefined) {
      const hash = crypto.createHash('sha256')
      let size = 0
      for await (const chunk of part.data) {
        size += chunk.byteLength
        if (size > MAX_CSV_BYTES) return 'too-large'
        hash.update(chunk)
      }
      return size === 0 ? 'empty' : hash.digest('hex')
    }
    let text = ''
    const decoder = new TextDecoder()
    for await (const chunk of part.data) {
      text += decoder.decode(chunk, { stream: true })
      if (text.length > 200) return null
    }
    return text + decoder.decode()
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const locale = await getLocale(request)
  if (!(await allowed(request, context))) return data({ error: messageKey('verify.error.rateLimited'), match: null }, { status: 429, headers })
  let form: FormData
  try {
    form = await unstable_parseMultipartFormData(request, hashingUploadHandler())
  } catch {
    return data({ error: messageKey('verify.error.upload'), match: null }, { status: 400, headers })
  }
  const result = await lookUp(String(form.get('code') ?? ''), locale)
  if (!result.pack) return data({ error: result.error, match: null }, { status: result.status, headers })
  const sha = String(form.get('csv') ?? '')
  if (sha === 'too-large') return data({ error: messageKey('verify.error.tooLarge'), match: null }, { status: 413, headers })
  if (!/^[0-9a-f]{64}$/.test(sha)) return data({ error: messageKey('verify.error.noFile'), match: null }, { status: 400, headers })
  return data({ error: null, match: { matches: sha === result.pack.listSha256, sha256: sha, code: result.pack.code } }, { headers })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function Verify() {
  const { code, error, pack } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const locale = useLocale()
  return (
    <div className="wrap narrow">
      <h1>{t('verify.title')}</h1>
      <p className="lede">{t('verify.lede')}</p>
      <Form method="get" className="verify-form" aria-labelledby="verify-form-heading">
        <h2 id="verify-form-heading" className="visually-hidden">
          {t('verify.formHeading')}
        </h2>
        <div className="field">
          <label htmlFor="verify-code">{t('verify.code')}</label>
          <p className="hint" id="verify-code-hint">
            {t('verify.codeHint')}
          </p>
          <input
            id="verify-code"
            name="code"
            type="text"
            defaultValue={code}
            autoComplete="off"
            spellCheck={false}
            maxLength={100}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'verify-code-hint verify-code-error' : 'verify-code-hint'}
          />
          {error ? (
            <p className="field-error" id="verify-code-error">
              {t.message(error)}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button">
          {t('verify.submit')}
        </button>
      </Form>

      <div role="status">
        {pack ? (
          <section className="panel verify-result" aria-labelledby="verify-result-heading">
            <h2 id="verify-result-heading">{t('verify.found')}</h2>
            <dl className="facts">
              <dt>{t('verify.campaign')}</dt>
              <dd>{pack.campaign.slug ? <Link to={`/campaigns/${pack.campaign.slug}`}>{pack.campaign.title}</Link> : pack.campaign.title}</dd>
              <dt>{t('verify.date')}</dt>
              <dd>
                <time dateTime={pack.cutOff}>{formatDate(locale, pack.cutOff, 'long')}</time> ({pack.cutOff})
              </dd>
              <dt>{t('verify.total')}</dt>
              <dd>{formatNumber(locale, pack.confirmedTotal)}</dd>
              <dt>{t('verify.named')}</dt>
              <dd>{formatNumber(locale, pack.namedCount)}</dd>
              <dt>{t('verify.codeLabel')}</dt>
              <dd>
                <code>{pack.code}</code>
              </dd>
            </dl>
            {pack.countries.length > 0 ? (
              <>
                <h3>{t('verify.byCountry')}</h3>
                <ul>
                  {pack.countries.map((c) => (
                    <li key={c.code}>
                      {c.name}: {formatNumber(locale, c.count)}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {pack.manifest ? (
              <>
                <h3>{t('verify.manifestHeading')}</h3>
                <p>{t('verify.manifestIntro')}</p>
                <pre className="manifest" tabIndex={0} aria-label={t('verify.manifestHeading')}>
                  {pack.manifest}
                </pre>
                <h3>{t('verify.uploadHeading')}</h3>
                <p>{t('verify.uploadIntro')}</p>
                <Form method="post" encType="multipart/form-data" action={`/verify?code=${encodeURIComponent(pack.code)}`}>
                  <input type="hidden" name="code" value={pack.code} />
                  <div className="field">
                    <label htmlFor="verify-csv">{t('verify.csv')}</label>
                    <input id="verify-csv" name="csv" type="file" accept=".csv,text/csv" required />
                  </div>
                  <button type="submit" className="button" disabled={navigation.state === 'submitting'}>
                    {t('verify.uploadSubmit')}
                  </button>
                </Form>
              </>
            ) : null}
          </section>
        ) : null}
        {actionData?.error ? (
          <p className="field-error verify-outcome" role="alert">
            {t.message(actionData.error)}
          </p>
        ) : null}
        {actionData?.match ? (
          <p className={`verify-outcome ${actionData.match.matches ? 'notice' : 'field-error'}`}>
            {t(actionData.match.matches ? 'verify.csvMatches' : 'verify.csvDiffers', { sha256: actionData.match.sha256 })}
          </p>
        ) : null}
      </div>
    </div>
  )
}
