import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { ProgressToGoal } from '~/components/progress-to-goal'
import { listLiveCampaigns } from '~/models/campaign.server'
import { publicHeaders } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const campaigns = await listLiveCampaigns(locale)
  const t = makeTranslator(locale)
  return data(
    {
      meta: { title: t('home.title'), description: t('home.lede') },
      campaigns: campaigns.map((c) => ({
        slug: c.slug,
        title: c.content.title,
        summary: c.content.summary,
        targetName: c.content.target_name,
        contentLocale: c.contentLocale,
        signatureCount: c.signatureCount,
        signatureGoal: c.signatureGoal,
      })),
    },
    { headers: publicHeaders() },
  )
}

export const headers = ({ loaderHeaders }: { loaderHeaders: Headers }) => loaderHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.meta.title ?? ''} · Chorus` },
  { name: 'description', content: data?.meta.description ?? '' },
]

export default function Home() {
  const { campaigns } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <div className="wrap">
      <h1>{t('home.title')}</h1>
      <p className="lede">{t('home.lede')}</p>
      {campaigns.length === 0 ? (
        <p>{t('home.empty')}</p>
      ) : (
        <ul className="card-list">
          {campaigns.map((campaign) => (
            <li key={campaign.slug} className="card">
              <h2 lang={campaign.contentLocale}>
                <Link to={`/campaigns/${campaign.slug}`}>{campaign.title}</Link>
              </h2>
              <p className="target">{t('campaign.calledOn', { target: campaign.targetName })}</p>
              <p lang={campaign.contentLocale}>{campaign.summary}</p>
              <ProgressToGoal id={`progress-${campaign.slug}`} count={campaign.signatureCount} goal={campaign.signatureGoal} />
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
