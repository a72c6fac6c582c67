export type FieldErrorLink = { id: string; message: string }

/**
 * The box at the top of a form listing what to fix: form-wide messages as text, field messages as
 * links to the field. The live region is always rendered so screen readers announce it when it fills.
 */
export function ErrorSummary({
  heading,
  headingLevel = 2,
  formErrors = [],
  fieldErrors = [],
}: {
  heading: string
  headingLevel?: 2 | 3
  formErrors?: string[]
  fieldErrors?: FieldErrorLink[]
}) {
  const Heading = headingLevel === 3 ? 'h3' : 'h2'
  return (
    <div role="alert" aria-live="assertive">
      {formErrors.length > 0 || fieldErrors.length > 0 ? (
        <div className="error-summary" tabIndex={-1}>
          <Heading>{heading}</Heading>
          <ul>
            {formErrors.map((message) => (
              <li key={message}>{message}</li>
            ))}
            {fieldErrors.map((error) => (
              <li key={`${error.id}-${error.message}`}>
                <a href={`#${error.id}`}>{error.message}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  )
}
