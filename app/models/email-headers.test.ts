import { parseWithZod } from '@conform-to/zod'
import { describe, expect, it } from 'vitest'
import { campaignEditorSchema } from '~/models/campaign-editor-schema'
import { UpdateDraftSchema, UpdateTranslationSchema } from '~/models/campaign-update-schema'
import { NewCampaignSchema } from '~/routes/admin.campaigns.new'
import { OrganisationIdentitySchema } from '~/models/organisation-schema'
import { oneLine } from '~/utils/email.server'

// Every value that becomes an email header (an update's subject, a campaign's title in
// the confirmation subject, the organisation's name and sender name in From) refuses CR and LF,
// with a field error; the email boundary flattens whatever might still get through.

const BREAKS = ['\r\n', '\n', '\r', '\u2028', '\u0085']
const injected = (br: string) => `Good news${br}Bcc: everyone@example.org`

function fieldErrors(schema: Parameters<typeof parseWithZod>[1]['schema'], values: Record<string, string>) {
  const form = new FormData()
  for (const [key, value] of Object.entries(values)) form.append(key, value)
  const submission = parseWithZod(form, { schema })
  return submission.status === 'success' ? {} : (submission.error ?? {})
}

describe('values that become email headers refuse line breaks', () => {
  it.each(BREAKS.map((br) => [JSON.stringify(br), br]))('an update subject with %s', (_, br) => {
    expect(fieldErrors(UpdateDraftSchema, { subject: injected(br), body: 'Hello' })).toEqual({ subject: ['admin.updates.error.subjectLineBreak'] })
    expect(fieldErrors(UpdateTranslationSchema, { subject: injected(br), body: 'Привет' })).toEqual({ subject: ['admin.updates.error.subjectLineBreak'] })
  })

  it.each(BREAKS.map((br) => [JSON.stringify(br), br]))('a campaign title with %s, new or edited', (_, br) => {
    expect(fieldErrors(NewCampaignSchema, { title: injected(br), locale: 'en' })).toEqual({ title: ['admin.new.error.titleLineBreak'] })
    const editor = campaignEditorSchema({ organisationCurrency: 'GBP', hasImage: false, isBase: true })
    const errors = fieldErrors(editor, { version: '1', title: injected(br), slug: 'save-the-river', signatureGoal: '100' })
    expect(errors).toMatchObject({ title: ['admin.new.error.titleLineBreak'] })
  })

  it.each(BREAKS.map((br) => [JSON.stringify(br), br]))("the organisation's name and sender name (From) with %s", (_, br) => {
    const errors = fieldErrors(OrganisationIdentitySchema, { intent: 'save', name: injected(br), senderName: injected(br), contactEmail: `a${br}@example.org` })
    expect(errors).toMatchObject({ name: ['reach.org.error.name'], senderName: ['reach.org.error.senderName'], contactEmail: ['reach.org.error.email'] })
  })

  it('accepts the same values on one line', () => {
    expect(fieldErrors(UpdateDraftSchema, { subject: 'Good news', body: 'Hello' })).toEqual({})
    expect(fieldErrors(NewCampaignSchema, { title: 'Free the defenders', locale: 'en' })).toEqual({})
    expect(fieldErrors(OrganisationIdentitySchema, { intent: 'save', name: 'Rights Watch', senderName: 'Rights Watch campaigns' })).toEqual({})
  })

  it('the email boundary puts every header on one line whatever is stored', () => {
    for (const br of BREAKS) expect(oneLine(injected(br))).toBe('Good news Bcc: everyone@example.org')
    expect(oneLine('Rights Watch <news@example.org>')).toBe('Rights Watch <news@example.org>')
  })
})
