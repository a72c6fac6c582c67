import { getInputProps, type FieldMetadata } from '@conform-to/react'
import type { ReactElement, ReactNode } from 'react'
import { cloneElement } from 'react'

/**
 * A labelled control with an optional hint and its error beside it. The control gets
 * aria-invalid and aria-describedby pointing at the hint and the error.
 */
export function FormField({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string
  label: ReactNode
  hint?: string
  error?: string
  children: ReactElement<Record<string, unknown>>
}) {
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  )
}

/** A Conform checkbox with its label beside it and, if given, a hint below the label that the box points to. */
export function CheckField<Schema, FormSchema extends Record<string, any>>({
  field,
  label,
  hint,
}: {
  field: FieldMetadata<Schema, FormSchema, string[]>
  label: ReactNode
  hint?: string
}) {
  const hintId = hint ? `${field.id}-hint` : undefined
  return (
    <div className="check">
      <input {...getInputProps(field, { type: 'checkbox' })} key={field.key} aria-describedby={hintId} />
      {hint ? (
        <div>
          <label htmlFor={field.id}>{label}</label>
          <p className="hint" id={hintId}>
            {hint}
          </p>
        </div>
      ) : (
        <label htmlFor={field.id}>{label}</label>
      )}
    </div>
  )
}
