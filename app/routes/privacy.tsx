import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { publicHeaders } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

export async function loader({ request }: LoaderFunctionArgs) {
  const t = makeTranslator(await getLocale(request))
  return data({ pageTitle: t('privacy.title') }, { headers: publicHeaders() })
}

export const headers = ({ loaderHeaders }: { loaderHeaders: Headers }) => loaderHeaders
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function Privacy() {
  useLoaderData<typeof loader>()
  const t = useT()
  return (
    <div className="wrap narrow">
      <h1>{t('privacy.title')}</h1>
      <p className="lede">{t('privacy.lede')}</p>
      <h2>{t('privacy.collectHeading')}</h2>
      <p>{t('privacy.collect')}</p>
      <h2>{t('privacy.useHeading')}</h2>
      <p>{t('privacy.use')}</p>
      <h2>{t('privacy.publicHeading')}</h2>
      <p>{t('privacy.public')}</p>
      <h2>{t('privacy.safetyHeading')}</h2>
      <p>{t('privacy.safety')}</p>
      <h2>{t('privacy.rightsHeading')}</h2>
      <p>{t('privacy.rights')}</p>
    </div>
  )
}
