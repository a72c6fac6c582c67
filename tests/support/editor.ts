import { createAdmin } from './admin'
import { createDraft, type CampaignEditValues } from '~/models/admin-campaign.server'
import type { EditableCampaign } from '~/models/editable-campaign.server'
import { getDb } from '~/utils/db.server'

// Campaigns in the editor, for the tests of editing, publishing and images.

/** What the editor would send for a campaign as it stands, with some fields changed. */
export function valuesFrom(
  campaign: EditableCampaign,
  locale: 'en' | 'ru',
  changes: { content?: Partial<CampaignEditValues['content']>; settings?: Partial<CampaignEditValues['settings']> } & Partial<
    Pick<CampaignEditValues, 'milestones' | 'image'>
  > = {},
): CampaignEditValues {
  const content = campaign.content[locale] ?? {
    title: '',
    summary: '',
    story: '',
    target_name: '',
    target_role: '',
    demand: '',
    hero_image_alt: '',
    consent_updates_text: '',
    consent_show_name_text: '',
  }
  return {
    content: { ...content, ...changes.content },
    settings: {
      ...campaign.settings,
      closes_at: campaign.settings.closes_at ? new Date(campaign.settings.closes_at) : null,
      ...changes.settings,
    },
    milestones: changes.milestones ?? campaign.milestones.map((m) => ({ threshold: m.threshold, description: m.descriptions[locale] ?? '' })),
    image: changes.image,
  }
}

export const completeEnglish = {
  title: 'Free the river defenders',
  summary: 'Five people are jailed for protecting a river.',
  story: 'They **must** be freed.',
  target_name: 'The Minister of Justice',
  target_role: 'Ministry of Justice',
  demand: 'Release all five today.',
}

export async function setUp(role: 'owner' | 'campaigner' | 'viewer' = 'campaigner') {
  const testAdmin = await createAdmin(getDb(), { role })
  const admin = testAdmin.context
  const draft = await createDraft(admin, { title: 'Free the river defenders', locale: 'en' })
  return { admin, testAdmin, draft }
}

export async function auditOf(subjectId: string) {
  return await getDb().selectFrom('audit_events').selectAll().where('subject_type', '=', 'campaign').where('subject_id', '=', subjectId).orderBy('id').execute()
}

/** A valid 1×1 PNG. */
export function tinyPng(): Buffer {
  return Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
}
