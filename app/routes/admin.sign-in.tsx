import { parseWithZod } from '@conform-to/zod'
import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { FormField } from '~/components/form-field'
import { hitSignInAddressLimit, hitSignInEmailLimit, requestSignInLink } from '~/models/sign-in.server'
import { getAdminSession, safeAdminNext } from '~/http/auth.server'
import { formErrorResult, parseSubmission, readForm } from '~/utils/form.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { requestContext } from '~/utils/request.server'
import { useMessage, useT } from '~/utils/use-t'
import { ErrorSummary } from '~/components/error-summary'

export const handle = { adminPublic: true }

export const SignInSchema = z.object({
  email: z.string({ required_error: 'admin.signIn.error.email' }).trim().max(254, 'admin.signIn.error.email').email('admin.signIn.error.email'),
  next: z.string().max(1000).optional(),
})

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  const state = await getAdminSession(request)
  const t = makeTranslator(await getLocale(request))
  const sent = url.searchParams.get('sent') === '1'
  return data({
    sent,
    next: safeAdminNext(url.searchParams.get('next')),
    signedInAs: state?.admin ? state.admin.user.email : null,
    pageTitle: sent ? t('admin.signIn.sentTitle') : t('admin.signIn.title'),
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const locale = await getLocale(request)
  const { ip } = requestContext(request, context)
  const byAddress = await hitSignInAddressLimit(ip)
  if (!byAddress.allowed) {
    return data({ result: formErrorResult('admin.signIn.error.rateLimited') }, { status: 429, headers: { 'Retry-After': String(byAddress.retryAfterSeconds) } })
  }
  const form = await readForm(request)
  const submission = parseSubmission(form, SignInSchema)
  if (submission.status !== 'success') {
    return data({ result: submission.reply() }, { status: 400 })
  }
  const byEmail = await hitSignInEmailLimit(submission.value.email)
  if (!byEmail.allowed) {
    return data(
      { result: submission.reply({ formErrors: ['admin.signIn.error.rateLimited'] }) },
      { status: 429, headers: { 'Retry-After': String(byEmail.retryAfterSeconds) } },
    )
  }
  const next = safeAdminNext(submission.value.next)
  await requestSignInLink({ email: submission.value.email, next, locale })
  // The same answer whether or not the address has an account.
  const params = new URLSearchParams({ sent: '1' })
  if (next) params.set('next', next)
  return redirect(`/admin/sign-in?${params}`)
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function SignIn() {
  const { sent, next, signedInAs } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const [form, fields] = useForm({
    id: 'sign-in',
    lastResult: actionData?.result,
    shouldValidate: 'onSubmit',
    // onInput: a fixed mistake's message goes while typing, so the button does not move under the pointer.
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SignInSchema }),
  })
  const tr = useMessage()

  if (sent) {
    return (
      <div className="wrap narrow">
        <h1>{t('admin.signIn.sentTitle')}</h1>
        <p>{t('admin.signIn.sentBody')}</p>
        <p className="hint">{t('admin.signIn.sentHint')}</p>
        <p>
          <Link to={next ? `/admin/sign-in?next=${encodeURIComponent(next)}` : '/admin/sign-in'}>{t('admin.signIn.again')}</Link>
        </p>
      </div>
    )
  }

  const emailError = tr(fields.email.errors?.[0])
  const formErrors = (form.errors ?? []).map((e) => tr(e)!)
  return (
    <div className="wrap narrow">
      <h1>{t('admin.signIn.title')}</h1>
      {signedInAs ? (
        <p className="notice">
          {t('admin.signIn.signedIn', { email: signedInAs })} <Link to="/admin">{t('admin.signIn.toWorkspace')}</Link>
        </p>
      ) : null}
      <p>{t('admin.signIn.intro')}</p>
      <Form method="post" {...getFormProps(form)} className="panel">
        <ErrorSummary heading={t('admin.error.summary')} formErrors={formErrors} />
        <FormField id={fields.email.id} label={t('admin.signIn.email')} error={emailError}>
          <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="email" spellCheck={false} key={fields.email.key} />
        </FormField>
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <button type="submit" className="button" disabled={navigation.state === 'submitting'}>
          {t('admin.signIn.submit')}
        </button>
      </Form>
    </div>
  )
}
