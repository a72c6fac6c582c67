import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { confirmSenderVerification, findSenderVerification } from '~/models/organisation.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

// Whoever reads the mailbox confirms it: no sign-in needed, the token in the link is the proof.
// A GET only shows the question (mail scanners open links); the POST confirms.
export const handle = { adminPublic: true }

export async function loader({ request, params }: LoaderFunctionArgs) {
  const t = makeTranslator(await getLocale(request))
  const found = await findSenderVerification(params.token ?? '')
  if (!found) return data({ found: null, pageTitle: t('reach.sender.invalidTitle') }, { status: 410 })
  return data({ found: { organisation: found.name, address: found.senderEmail }, pageTitle: t('reach.sender.title') })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const t = makeTranslator(await getLocale(request))
  const confirmed = await confirmSenderVerification(params.token ?? '')
  if (!confirmed) return data({ confirmed: false, pageTitle: t('reach.sender.invalidTitle') }, { status: 410 })
  return data({ confirmed: true, pageTitle: t('reach.sender.doneTitle') })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function ConfirmSender() {
  const { found } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  if (actionData?.confirmed) {
    return (
      <div className="wrap narrow">
        <h1>{t('reach.sender.doneTitle')}</h1>
        <p role="status">{t('reach.sender.doneBody')}</p>
      </div>
    )
  }
  if (!found || actionData?.confirmed === false) {
    return (
      <div className="wrap narrow">
        <h1>{t('reach.sender.invalidTitle')}</h1>
        <p>{t('reach.sender.invalidBody')}</p>
      </div>
    )
  }
  return (
    <div className="wrap narrow">
      <h1>{t('reach.sender.title')}</h1>
      <p>{t('reach.sender.body', { organisation: found.organisation, address: found.address })}</p>
      <Form method="post">
        <button type="submit" className="button">
          {t('reach.sender.confirm')}
        </button>
      </Form>
    </div>
  )
}
