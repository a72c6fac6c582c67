import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
/** bigint identity columns come back from pg as strings; we keep them as strings end to end. */
type Id = ColumnType<string, never, never>
type RefId = ColumnType<string, string | number | bigint, string | number | bigint>

export const CAMPAIGN_STATES = ['draft', 'live', 'closed'] as const
export type CampaignStatus = (typeof CAMPAIGN_STATES)[number]

export const SIGNATURE_STATES = ['pending', 'confirmed', 'invalidated'] as const
export type SignatureState = (typeof SIGNATURE_STATES)[number]

export const EMAIL_STATES = ['sending', 'sent', 'failed', 'delivered', 'bounced', 'complained'] as const
export type EmailStatus = (typeof EMAIL_STATES)[number]

export interface OrganisationsTable {
  id: Id
  slug: string
  name: string
  privacy_url: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface CampaignContent {
  title: string
  summary: string
  story: string
  target_name: string
  target_role: string
  demand: string
}

export interface CampaignsTable {
  id: Id
  organisation_id: RefId
  slug: string
  locale: Generated<string>
  title: string
  summary: string
  story: Generated<string>
  target_name: string
  target_role: Generated<string>
  demand: string
  signature_goal: number
  status: Generated<CampaignStatus>
  show_recent_signers: Generated<boolean>
  consent_version: Generated<string>
  opens_at: NullableTimestamp
  closes_at: NullableTimestamp
  signature_count: Generated<number>
  counted_at: NullableTimestamp
  created_at: Timestamp
  updated_at: Timestamp
}

export interface CampaignTranslationsTable {
  campaign_id: RefId
  locale: string
  title: string
  summary: string
  story: Generated<string>
  target_name: string
  target_role: Generated<string>
  demand: string
  updated_at: Timestamp
}

export interface SignaturesTable {
  id: Id
  campaign_id: RefId
  full_name: string
  email: string
  canonical_email: string
  country: string
  postcode: string | null
  locale: Generated<string>
  consent_updates: Generated<boolean>
  consent_show_name: Generated<boolean>
  consent_version: string
  state: Generated<SignatureState>
  confirmation_token_hash: Buffer | null
  ip_hash: Buffer | null
  source: string | null
  utm_source: string | null
  utm_medium: string | null
  utm_campaign: string | null
  sends_in_window: Generated<number>
  send_window_started_at: NullableTimestamp
  counted_at: NullableTimestamp
  created_at: Timestamp
  confirmed_at: NullableTimestamp
  updated_at: Timestamp
}

export interface CampaignCountryCountsTable {
  campaign_id: RefId
  country: string
  signature_count: Generated<number>
}

export interface EmailMessagesTable {
  id: Id
  idempotency_key: string
  recipient: string
  template: string
  subject: string
  locale: string
  transport: string
  status: Generated<EmailStatus>
  provider_id: string | null
  error: string | null
  attempts: Generated<number>
  signature_id: RefId | null
  campaign_id: RefId | null
  html: string | null
  text: string | null
  created_at: Timestamp
  sent_at: NullableTimestamp
  updated_at: Timestamp
}

export interface RateLimitsTable {
  bucket: string
  window_start: Timestamp
  hits: Generated<number>
}

export interface Database {
  organisations: OrganisationsTable
  campaigns: CampaignsTable
  campaign_translations: CampaignTranslationsTable
  signatures: SignaturesTable
  campaign_country_counts: CampaignCountryCountsTable
  email_messages: EmailMessagesTable
  rate_limits: RateLimitsTable
}

export type Organisation = Selectable<OrganisationsTable>
export type NewOrganisation = Insertable<OrganisationsTable>
export type Campaign = Selectable<CampaignsTable>
export type NewCampaign = Insertable<CampaignsTable>
export type CampaignUpdate = Updateable<CampaignsTable>
export type CampaignTranslation = Selectable<CampaignTranslationsTable>
export type NewCampaignTranslation = Insertable<CampaignTranslationsTable>
export type Signature = Selectable<SignaturesTable>
export type NewSignature = Insertable<SignaturesTable>
export type SignatureUpdate = Updateable<SignaturesTable>
export type EmailMessage = Selectable<EmailMessagesTable>
export type NewEmailMessage = Insertable<EmailMessagesTable>
