import { z } from 'zod'
import { hasLineBreak } from '~/utils/text'
import type { Translate } from '~/utils/i18n'

// The update editor's inputs, shared by the server and the page (no server code here).
// Error messages are translation keys; "too long" carries its limit after a colon.

export const UPDATE_SUBJECT_MAX = 200
export const UPDATE_BODY_MAX = 20_000
/** A long message in Cyrillic, URL-encoded, is several times its length in bytes. */
export const UPDATE_FORM_MAX_BYTES = 512 * 1024

/** The message of an error key, with its limit filled in. */
export function updateErrorText(t: Translate, message: string | undefined): string | undefined {
  if (!message) return undefined
  const [key, max] = message.split(':')
  return t.message(key ?? '', max ? { max: Number(max) } : undefined)
}

const subject = z
  .string({ required_error: 'admin.updates.error.subject' })
  .trim()
  .min(1, 'admin.updates.error.subject')
  .max(UPDATE_SUBJECT_MAX, `admin.updates.error.subjectTooLong:${UPDATE_SUBJECT_MAX}`)
  // The subject becomes an email header: a line break there would start a header of its own.
  .refine((value) => !hasLineBreak(value), 'admin.updates.error.subjectLineBreak')
const body = z
  .string({ required_error: 'admin.updates.error.body' })
  .trim()
  .min(1, 'admin.updates.error.body')
  .max(UPDATE_BODY_MAX, `admin.updates.error.bodyTooLong:${UPDATE_BODY_MAX}`)

/** A new update, or the main language of one: subject and message both needed. */
export const UpdateDraftSchema = z.object({
  subject,
  body,
  public: z.boolean().optional().default(false),
})

/** A translation: both fields, or neither (which removes it). */
export const UpdateTranslationSchema = z
  .object({
    subject: z
      .string()
      .trim()
      .max(UPDATE_SUBJECT_MAX, `admin.updates.error.subjectTooLong:${UPDATE_SUBJECT_MAX}`)
      .refine((value) => !hasLineBreak(value), 'admin.updates.error.subjectLineBreak')
      .optional()
      .default(''),
    body: z.string().trim().max(UPDATE_BODY_MAX, `admin.updates.error.bodyTooLong:${UPDATE_BODY_MAX}`).optional().default(''),
    public: z.boolean().optional().default(false),
  })
  .superRefine((value, ctx) => {
    if (value.subject && !value.body) ctx.addIssue({ code: 'custom', path: ['body'], message: 'admin.updates.error.body' })
    if (value.body && !value.subject) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'admin.updates.error.subject' })
  })

export const versionSchema = z.number({ required_error: 'admin.updates.error.version', invalid_type_error: 'admin.updates.error.version' }).int().min(1)

/** What saving an update's draft reads: the base language's draft or a translation, with the version edited. */
export const SavedUpdateDraftSchema = UpdateDraftSchema.and(z.object({ version: versionSchema }))
export const SavedUpdateTranslationSchema = UpdateTranslationSchema.and(z.object({ version: versionSchema }))

export const SendUpdateSchema = z.object({
  version: versionSchema,
  confirm: z.enum(['yes'], { errorMap: () => ({ message: 'admin.updates.error.confirm' }) }),
})
