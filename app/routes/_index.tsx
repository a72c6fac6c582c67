import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { ProgressToGoal } from '~/components/progress-to-goal'
import { LIVE_CAMPAIGN_PAGES_MAX, listLiveCampaignPage } from '~/models/campaign.server'
import { publicHeaders } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'
import { z } from 'zod'

/** `?page=2` and on: older campaigns; a page that is not a number in range is not there. */
const HomeQuerySchema = z.object({
  page: z
    .string()
    .max(3)
    .regex(/^[1-9][0-9]{0,2}$/)
    .transform(Number)
    .pipe(z.number().max(LIVE_CAMPAIGN_PAGES_MAX))
    .optional(),
})

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const query = HomeQuerySchema.safeParse({ page: new URL(request.url).searchParams.get('page') ?? undefined })
  if (!query.success) throw new Response('Not found', { status: 404 })
  const page = query.data.page ?? 1
  const { campaigns, hasOlder } = await listLiveCampaignPage(locale, page)
  const t = makeTranslator(locale)
  return data(
    {
      meta: { title: t('home.title'), description: t('home.lede') },
      page,
      hasOlder,
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
  const { campaigns, page, hasOlder } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <div className="wrap">
      <h1>{t('home.title')}</h1>
      <p className="lede">{t('home.lede')}</p>
      {campaigns.length === 0 ? (
        <p>{page > 1 ? t('home.noMore') : t('home.empty')}</p>
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
      {page > 1 || hasOlder ? (
        <nav aria-label={t('home.pages')} className="pager">
          {page > 1 ? (
            <Link to={page === 2 ? '/' : `/?page=${page - 1}`} rel="prev">
              {t('home.newer')}
            </Link>
          ) : null}
          {hasOlder ? (
            <Link to={`/?page=${page + 1}`} rel="next">
              {t('home.older')}
            </Link>
          ) : null}
        </nav>
      ) : null}
    </div>
  )
}
