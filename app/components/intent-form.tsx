import { useForm, type DefaultValue, type SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { Form, useNavigation, type FormProps } from '@remix-run/react'
import { forwardRef, type ReactNode } from 'react'
import type { z, ZodTypeAny } from 'zod'
import { CsrfField } from '~/components/csrf-field'
import type { TranslateVars } from '~/utils/i18n'
import { useMessage } from '~/utils/use-t'

type Props = Omit<FormProps, 'method'> & {
  /** What the action should do: the hidden `intent` field its schema switches on. */
  intent?: string
  /** Other hidden fields the action needs (the row's id, the value to set). */
  fields?: Readonly<Record<string, string | number>>
}

/**
 * A workspace form that posts: the session's CSRF token, the `intent` and the row's hidden fields,
 * then what the page puts inside (decision 0048). Leave `intent` out when the buttons carry it.
 */
export const IntentForm = forwardRef<HTMLFormElement, Props>(function IntentForm({ intent, fields, children, ...props }, ref) {
  return (
    <Form method="post" ref={ref} {...props}>
      <CsrfField />
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      {Object.entries(fields ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
    </Form>
  )
})

/**
 * One button acting on a row of a table or list (revoke, remove, delete): an IntentForm with the
 * row's fields around a small button whose accessible label names the row (decision 0048).
 */
export function RowAction({
  intent,
  fields,
  label,
  danger = false,
  children,
}: {
  intent: string
  fields: Readonly<Record<string, string | number>>
  /** Names the row as well as the action ("Remove ada@example.org"): the visible text alone repeats down the table. */
  label: string
  danger?: boolean
  children: ReactNode
}) {
  return (
    <IntentForm intent={intent} fields={fields} className="inline-form">
      <button type="submit" className={danger ? 'button small danger' : 'button small'} aria-label={label}>
        {children}
      </button>
    </IntentForm>
  )
}

type IntentFormOptions<Schema extends ZodTypeAny> = {
  /** The form's id (Conform names its fields after it). */
  id: string
  /** The action's reply when it answered this form (compare the action data's `intent`), else undefined. */
  lastResult: SubmissionResult<string[]> | null | undefined
  defaultValue?: DefaultValue<z.input<Schema>>
  /** Values the error messages interpolate (a minimum, a ratio). */
  messageVars?: TranslateVars
}

/** The fields' first errors, translated, for the error summary to link to. */
export function fieldErrorsOf(fields: ReadonlyArray<{ id: string; errors?: string[] }>, tr: (message: string | undefined) => string | undefined) {
  return fields.map((f) => ({ id: f.id, message: tr(f.errors?.[0]) })).filter((e): e is { id: string; message: string } => Boolean(e.message))
}

/**
 * Conform set up the workspace's way for a form that posts: validated by the action's schema in
 * the browser on submit and again as the person corrects it; errors already translated
 * (decision 0048).
 */
export function useIntentForm<Schema extends ZodTypeAny>(schema: Schema, { id, lastResult, defaultValue, messageVars }: IntentFormOptions<Schema>) {
  const [form, fields] = useForm<z.input<Schema>, z.output<Schema>>({
    id,
    lastResult,
    shouldValidate: 'onSubmit',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    defaultValue,
  })
  const tr = useMessage(messageVars)
  const formErrors = (form.errors ?? []).map((e) => tr(e)).filter((e): e is string => Boolean(e))
  const busy = useNavigation().state === 'submitting'
  return { form, fields, tr, formErrors, busy }
}
