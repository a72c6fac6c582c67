import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import { listMailbox } from '~/models/mailbox.server'
import { getEnv } from '~/utils/env.server'
import { isLocalDevelopmentRequest } from '~/utils/request.server'
import { useT } from '~/utils/use-t'

/** The development mailbox: only under the mailbox transport, only to this machine. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  if (getEnv().EMAIL_TRANSPORT !== 'mailbox' || !isLocalDevelopmentRequest(request, context)) {
    throw new Response('Not found', { status: 404 })
  }
  const to = new URL(request.url).searchParams.get('to')?.trim() || undefined
  const emails = await listMailbox({ to })
  return data(
    {
      to: to ?? '',
      emails: emails.map((email) => ({
        id: email.id,
        recipient: email.recipient,
        subject: email.subject,
        template: email.template,
        sentAt: (email.sent_at ?? email.created_at).toISOString(),
        // The body of the email document, so it sits inside this page.
        body: (email.html ?? '').match(/<body[^>]*>([\s\S]*)<\/body>/i)?.[1] ?? email.html ?? '',
      })),
    },
    { headers: { 'Cache-Control': 'no-store' } },
  )
}

export const meta: MetaFunction = () => [{ title: 'Mailbox · Chorus' }, { name: 'robots', content: 'noindex' }]

export default function Mailbox() {
  const { to, emails } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <div className="wrap">
      <h1>{t('mailbox.title')}</h1>
      <p className="lede">{t('mailbox.lede')}</p>
      <Form method="get" className="field">
        <label htmlFor="mailbox-to">{t('mailbox.filter')}</label>
        <input id="mailbox-to" type="email" name="to" defaultValue={to} />
        <button type="submit" className="button secondary">
          {t('mailbox.show')}
        </button>
      </Form>
      {emails.length === 0 ? <p>{t('mailbox.empty')}</p> : null}
      {emails.map((email) => (
        <article key={email.id} className="mailbox-item" aria-labelledby={`email-${email.id}-subject`}>
          <header>
            <h2 id={`email-${email.id}-subject`}>{email.subject}</h2>
            <dl>
              <dt>{t('mailbox.to')}</dt>
              <dd data-testid="recipient">{email.recipient}</dd>
              <dt>{t('mailbox.sent')}</dt>
              <dd>{email.sentAt}</dd>
              <dt>{t('mailbox.template')}</dt>
              <dd>{email.template}</dd>
            </dl>
          </header>
          <div className="mailbox-body" dangerouslySetInnerHTML={{ __html: email.body }} />
        </article>
      ))}
    </div>
  )
}
