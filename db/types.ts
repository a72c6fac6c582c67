import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
/** bigint identity columns come back from pg as strings; we keep them as strings end to end. */
type Id = ColumnType<string, never, never>
type RefId = ColumnType<string, string | number | bigint, string | number | bigint>

export const CAMPAIGN_STATES = ['draft', 'live', 'closed'] as const
export type CampaignStatus = (typeof CAMPAIGN_STATES)[number]

export const SIGNATURE_STATES = ['pending', 'confirmed', 'held', 'invalidated'] as const
export type SignatureState = (typeof SIGNATURE_STATES)[number]

export const EMAIL_STATES = ['queued', 'sending', 'sent', 'failed', 'skipped', 'delivered', 'delayed', 'bounced', 'complained'] as const
export type EmailStatus = (typeof EMAIL_STATES)[number]

export interface OrganisationsTable {
  id: Id
  slug: string
  name: string
  privacy_url: string | null
  /** ISO 4217 code; presets are in its minor units. */
  donation_currency: Generated<string>
  donation_presets: Generated<number[]>
  created_at: Timestamp
  updated_at: Timestamp
  /** The organisation's logo: checked like hero images, served by its hash. */
  logo_bytes: Buffer | null
  logo_content_type: ImageType | null
  logo_sha256: string | null
  logo_byte_size: number | null
  logo_width: number | null
  logo_height: number | null
  /** `#rrggbb`, lower case, with at least 4.5:1 contrast against white. */
  brand_colour: string | null
  website_url: string | null
  /** Where supporters can write to the organisation (emails' footer, privacy notice). */
  contact_email: string | null
  /** The name emails come from ("<sender_name> via Chorus"); the organisation's name when null. */
  sender_name: string | null
  /** The organisation's own From address, used only once verified. */
  sender_email: string | null
  sender_email_verified: Generated<boolean>
  sender_verify_token_hash: Buffer | null
  sender_verify_sent_at: NullableTimestamp
  /** Retention (decision 0045): signers' contact details are erased this long after the campaign closes. */
  signer_retention_months: Generated<number>
  /** Unconfirmed signatures are erased this long after they were made. */
  unconfirmed_retention_days: Generated<number>
  /** Donors' names and emails are erased this long after the gift; amounts and Stripe ids stay. */
  financial_retention_years: Generated<number>
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
  milestone_updates: Generated<boolean>
  consent_version: Generated<string>
  opens_at: NullableTimestamp
  closes_at: NullableTimestamp
  signature_count: Generated<number>
  counted_at: NullableTimestamp
  /** Null: the organisation's. */
  donation_currency: string | null
  /** Minor units; null: the organisation's. */
  donation_presets: number[] | null
  show_donation_totals: Generated<boolean>
  /** Optimistic lock of the editor: bumped by every content save (decision 0008). */
  version: Generated<number>
  hero_image_id: RefId | null
  hero_image_alt: Generated<string>
  /** '' shows the default wording beside the sign form's checkboxes. */
  consent_updates_text: Generated<string>
  consent_show_name_text: Generated<string>
  closed_at: NullableTimestamp
  created_at: Timestamp
  updated_at: Timestamp
  /** Attack mode: set while the sign form asks for a proof-of-work challenge. */
  attack_mode_started_at: NullableTimestamp
  attack_mode_origin: 'auto' | 'manual' | null
  /** Per-campaign overrides of the integrity rules; null: the environment's default. */
  integrity_domain_hourly_limit: number | null
  integrity_address_hourly_limit: number | null
  integrity_hold_disposable: boolean | null
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
  hero_image_alt: Generated<string>
  consent_updates_text: Generated<string>
  consent_show_name_text: Generated<string>
  updated_at: Timestamp
}

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const
export type ImageType = (typeof IMAGE_TYPES)[number]

export interface CampaignImagesTable {
  id: Id
  campaign_id: RefId
  content_type: ImageType
  bytes: Buffer
  byte_size: number
  /** Hex SHA-256 of the bytes: part of the image's URL, so a new image is a new URL. */
  sha256: string
  width: number | null
  height: number | null
  created_by: RefId | null
  created_at: Timestamp
}

export interface CampaignSlugRedirectsTable {
  slug: string
  campaign_id: RefId
  created_at: Timestamp
}

export interface CampaignMilestonesTable {
  id: Id
  campaign_id: RefId
  threshold: number
  created_at: Timestamp
  updated_at: Timestamp
}

export interface CampaignMilestoneTranslationsTable {
  milestone_id: RefId
  locale: string
  description: string
}

export interface CampaignRevisionsTable {
  campaign_id: RefId
  version: number
  snapshot: ColumnType<Record<string, unknown>, string, string>
  user_id: RefId | null
  created_at: Timestamp
}

export interface SignaturesTable {
  id: Id
  campaign_id: RefId
  /** Sealed (decision 0040), like email and postcode; '' once erased. */
  full_name: string
  email: string
  /** Blind index of the canonical address (decision 0040); '' once erased. */
  email_index: string
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
  invalidated_at: NullableTimestamp
  invalidation_reason: InvalidationReason | null
  /** Lower-case domain of the address: the per-domain rule and the review read it. */
  email_domain: string | null
  /** Why a signature was held (HOLD_REASONS); kept after release as the record. */
  hold_reasons: Generated<HoldReason[]>
  /** When name, address, postcode and tokens were erased (decision 0045); state, country, day and source stay. */
  contact_erased_at: NullableTimestamp
}

/** Why the integrity rules held a signature (decision 0030). */
export const HOLD_REASONS = ['disposable', 'domain_rate', 'address_rate', 'attack_mode'] as const
export type HoldReason = (typeof HOLD_REASONS)[number]

export const INVALIDATION_REASONS = ['fraud', 'duplicate', 'spam', 'other'] as const
export type InvalidationReason = (typeof INVALIDATION_REASONS)[number]

export interface CampaignDailyCountsTable {
  campaign_id: RefId
  /** UTC day of confirmation; select it as `day::text` ('YYYY-MM-DD'), since pg would parse a date into local midnight. */
  day: ColumnType<string, string, string>
  signature_count: Generated<number>
}

export interface CampaignSourceCountsTable {
  campaign_id: RefId
  /** utm_source, else source/ref, lower-cased; '' for none. */
  source: string
  signature_count: Generated<number>
}

export interface CampaignCountryCountsTable {
  campaign_id: RefId
  country: string
  signature_count: Generated<number>
}

export interface EmailMessagesTable {
  id: Id
  idempotency_key: string
  /** Sealed, like html and text (decision 0040). */
  recipient: string
  /** Blind index of the address as sent to, lower-cased: finds the emails an address was sent. */
  recipient_index: string | null
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
  update_id: RefId | null
  batch_no: number | null
  last_event_at: NullableTimestamp
  /** 0 transactional (confirmations first), 10 an update's fan-out; FIFO within a priority. */
  priority: Generated<number>
  /** What the sender needs to render the email (cleared once rendered). */
  payload: unknown | null
  headers: Record<string, string> | null
  batch_id: RefId | null
  /** Refused in a batch: sent alone so one bad address fails only itself. */
  send_alone: Generated<boolean>
  /** The From header the email was sent with (emailFrom); null: EMAIL_FROM. */
  sender: string | null
}

export const EMAIL_BATCH_STATES = ['sending', 'sent', 'failed'] as const
export type EmailBatchStatus = (typeof EMAIL_BATCH_STATES)[number]

export interface EmailBatchesTable {
  id: Id
  idempotency_key: string
  status: Generated<EmailBatchStatus>
  worker_id: string | null
  leased_at: NullableTimestamp
  prepared_at: NullableTimestamp
  attempts: Generated<number>
  last_error: string | null
  created_at: Generated<Date>
  sent_at: NullableTimestamp
}

export interface EmailSendThrottleTable {
  id: number
  next_at: Timestamp
  reason: string | null
}

export interface WorkerHeartbeatsTable {
  worker_id: string
  host: string
  pid: number
  job_worker_ids: Generated<string[]>
  draining: Generated<boolean>
  started_at: Generated<Date>
  beat_at: Generated<Date>
}

export interface RateLimitsTable {
  bucket: string
  window_start: Timestamp
  hits: Generated<number>
}

export const ROLE_NAMES = ['owner', 'campaigner', 'viewer'] as const
export type RoleName = (typeof ROLE_NAMES)[number]

export interface UsersTable {
  id: Id
  email: string
  name: string | null
  locale: Generated<string>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface MembershipsTable {
  id: Id
  organisation_id: RefId
  user_id: RefId
  role: RoleName
  created_at: Timestamp
  updated_at: Timestamp
}

export interface SessionsTable {
  id: Id
  token_hash: Buffer
  user_id: RefId
  organisation_id: RefId | null
  user_agent: string | null
  created_at: Timestamp
  last_seen_at: Timestamp
  expires_at: Timestamp
  revoked_at: NullableTimestamp
}

export interface SignInTokensTable {
  id: Id
  token_hash: Buffer
  user_id: RefId
  next_path: string | null
  created_at: Timestamp
  expires_at: Timestamp
  used_at: NullableTimestamp
}

export interface InvitationsTable {
  id: Id
  organisation_id: RefId
  email: string
  role: RoleName
  token_hash: Buffer
  invited_by: RefId | null
  created_at: Timestamp
  expires_at: Timestamp
  accepted_at: NullableTimestamp
  accepted_by: RefId | null
  revoked_at: NullableTimestamp
}

export interface AuditEventsTable {
  id: Id
  organisation_id: RefId | null
  actor_user_id: RefId | null
  action: string
  subject_type: string
  subject_id: string | null
  changes: ColumnType<Record<string, unknown>, string | undefined, string>
  created_at: Timestamp
}

export const DONATION_FREQUENCIES = ['one_off', 'monthly'] as const
export type DonationFrequency = (typeof DONATION_FREQUENCIES)[number]

export const DONATION_STATES = ['pending', 'processing', 'paid', 'active', 'past_due', 'failed', 'expired', 'cancelled', 'refunded', 'disputed'] as const
export type DonationStatus = (typeof DONATION_STATES)[number]

export interface DonationsTable {
  id: Id
  campaign_id: RefId
  frequency: DonationFrequency
  amount_minor: number
  currency: string
  status: Generated<DonationStatus>
  /** Sealed (decision 0040); '' once erased. */
  donor_name: string
  donor_email: string
  donor_email_index: string | null
  locale: Generated<string>
  stripe_checkout_session_id: string | null
  stripe_customer_id: string | null
  stripe_subscription_id: string | null
  stripe_payment_intent_id: string | null
  checkout_completed_at: NullableTimestamp
  async_failed_at: NullableTimestamp
  expired_at: NullableTimestamp
  cancelled_at: NullableTimestamp
  last_invoice_failed_at: NullableTimestamp
  cancel_requested_at: NullableTimestamp
  created_at: Timestamp
  updated_at: Timestamp
  /** When the donor's name and address were erased (decision 0045); amounts, dates and Stripe ids stay. */
  contact_erased_at: NullableTimestamp
}

export interface DonationPaymentsTable {
  id: Id
  donation_id: RefId
  campaign_id: RefId
  amount_minor: number
  refunded_minor: Generated<number>
  currency: string
  stripe_checkout_session_id: string | null
  stripe_invoice_id: string | null
  stripe_payment_intent_id: string | null
  stripe_charge_id: string | null
  dispute_status: string | null
  paid_at: Timestamp
  created_at: Timestamp
  updated_at: Timestamp
}

export interface CampaignDonationTotalsTable {
  campaign_id: RefId
  currency: string
  /** bigint: pg returns it as a string. */
  total_minor: ColumnType<string, number | string | undefined, number | string>
  donor_count: Generated<number>
  updated_at: Timestamp
}

export interface StripeEventsTable {
  id: string
  type: string
  received_at: Timestamp
  processed: Generated<boolean>
  object_ref: string | null
  payload: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
}

// ---- Follow-ups and delivery ----

export const UPDATE_KINDS = ['update', 'milestone', 'response', 'delivery'] as const
export type UpdateKind = (typeof UPDATE_KINDS)[number]
export const UPDATE_STATES = ['draft', 'sending', 'sent', 'cancelled'] as const
export type UpdateStatus = (typeof UPDATE_STATES)[number]

export interface CampaignUpdatesTable {
  id: Id
  campaign_id: RefId
  kind: Generated<UpdateKind>
  status: Generated<UpdateStatus>
  public: Generated<boolean>
  version: Generated<number>
  audience_size: number | null
  sent_count: Generated<number>
  failed_count: Generated<number>
  created_by: RefId | null
  sent_by: RefId | null
  created_at: Timestamp
  updated_at: Timestamp
  send_started_at: NullableTimestamp
  sent_at: NullableTimestamp
}

export interface CampaignUpdateTranslationsTable {
  update_id: RefId
  locale: string
  subject: string
  body: string
}

export const UNSUBSCRIBE_SOURCES = ['one-click', 'page', 'admin', 'api'] as const
export type UnsubscribeSource = (typeof UNSUBSCRIBE_SOURCES)[number]

export interface EmailUnsubscribesTable {
  id: Id
  organisation_id: RefId
  email_index: string
  /** null: everything from the organisation. */
  campaign_id: RefId | null
  source: UnsubscribeSource
  created_at: Timestamp
}

export const SUPPRESSION_REASONS = ['bounce', 'complaint', 'manual'] as const
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number]

export interface EmailSuppressionsTable {
  organisation_id: RefId
  /** The blind index: all that stays once the address's owner had their data erased. */
  email_index: string
  /** The address, sealed, for the workspace's list; '' once erased. */
  email: Generated<string>
  reason: SuppressionReason
  email_message_id: RefId | null
  created_at: Timestamp
}

/** A Resend webhook delivery already applied (by its svix-id), so a replay changes nothing. */
export interface ResendEventsTable {
  svix_id: string
  type: string
  provider_id: string | null
  outcome: string
  received_at: Timestamp
}

export interface CampaignMilestoneCrossingsTable {
  id: Id
  milestone_id: RefId
  campaign_id: RefId
  threshold: number
  signature_count: number
  crossed_at: Timestamp
  update_id: RefId | null
}

export interface CampaignResponsesTable {
  id: Id
  campaign_id: RefId
  /** A date; select it as `responded_on::text` ('YYYY-MM-DD'), since pg would parse a date into local midnight. */
  responded_on: ColumnType<string, string, string>
  body: string
  source_url: string | null
  update_id: RefId | null
  created_by: RefId | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface DeliveryPacksTable {
  id: Id
  campaign_id: RefId
  locale: string
  confirmed_total: number
  named_count: number
  country_counts: ColumnType<Record<string, number>, string, string>
  max_signature_id: RefId
  verification_code: string
  /** Hex SHA-256 of the pack's CSV as built (decision 0013). */
  list_sha256: string | null
  created_by: RefId | null
  created_at: Timestamp
}

export const DELIVERY_METHODS = ['in_person', 'email', 'post', 'online', 'other'] as const
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number]

export interface CampaignDeliveriesTable {
  id: Id
  campaign_id: RefId
  pack_id: RefId | null
  /** A date; select it as `delivered_on::text` ('YYYY-MM-DD'). */
  delivered_on: ColumnType<string, string, string>
  recipient: string
  method: DeliveryMethod
  notes: Generated<string>
  signature_count: number
  update_id: RefId | null
  created_by: RefId | null
  created_at: Timestamp
}

export const API_KEY_SCOPES = ['read', 'write'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

export interface ApiKeysTable {
  id: Id
  organisation_id: RefId
  name: string
  prefix: string
  key_hash: Buffer
  scope: ApiKeyScope
  /** Receives signers' email addresses from the OSDI API (decision 0047); other keys never do. */
  crm_sync: Generated<boolean>
  created_by: RefId | null
  created_at: Timestamp
  last_used_at: NullableTimestamp
  revoked_at: NullableTimestamp
  revoked_by: RefId | null
}

/** Decision 0036: the generated share card per campaign and language, and the count it shows. */
export interface CampaignShareCardsTable {
  campaign_id: RefId
  locale: string
  png: Buffer
  sha256: string
  /** Hash of what the card shows apart from the count (title, organisation): a change redraws it. */
  inputs_hash: string
  signature_count: number
  created_at: Timestamp
}

export const DATA_KEY_PURPOSES = ['data', 'index'] as const
export type DataKeyPurpose = (typeof DATA_KEY_PURPOSES)[number]

/** Decision 0040: data and blind-index keys, wrapped by the master key. */
export interface DataKeysTable {
  /** The version every ciphertext names (`v<id>:`). */
  id: ColumnType<number, never, never>
  purpose: DataKeyPurpose
  /** null: the platform's (the index key; emails of no campaign; waiting Stripe events). */
  organisation_id: RefId | null
  wrapped_key: Buffer
  /** Which master key wraps it (a fingerprint, never the key). */
  master_id: string
  created_at: Timestamp
  /** Set when a newer key took over: still opens what it sealed. */
  retired_at: NullableTimestamp
}

/** A link asked for at /my-data (valid an hour; spent by erasure). */
export interface DataRequestsTable {
  id: Id
  token_hash: Buffer
  /** Sealed with the platform's key. */
  email: string
  email_index: string
  locale: Generated<string>
  created_at: Timestamp
  expires_at: Timestamp
  used_at: NullableTimestamp
}

export interface Database {
  data_keys: DataKeysTable
  data_requests: DataRequestsTable
  organisations: OrganisationsTable
  campaigns: CampaignsTable
  campaign_translations: CampaignTranslationsTable
  campaign_images: CampaignImagesTable
  campaign_share_cards: CampaignShareCardsTable
  campaign_slug_redirects: CampaignSlugRedirectsTable
  campaign_milestones: CampaignMilestonesTable
  campaign_milestone_translations: CampaignMilestoneTranslationsTable
  campaign_revisions: CampaignRevisionsTable
  signatures: SignaturesTable
  campaign_country_counts: CampaignCountryCountsTable
  campaign_daily_counts: CampaignDailyCountsTable
  campaign_source_counts: CampaignSourceCountsTable
  email_messages: EmailMessagesTable
  email_batches: EmailBatchesTable
  email_send_throttle: EmailSendThrottleTable
  worker_heartbeats: WorkerHeartbeatsTable
  rate_limits: RateLimitsTable
  donations: DonationsTable
  donation_payments: DonationPaymentsTable
  campaign_donation_totals: CampaignDonationTotalsTable
  stripe_events: StripeEventsTable
  users: UsersTable
  memberships: MembershipsTable
  sessions: SessionsTable
  sign_in_tokens: SignInTokensTable
  invitations: InvitationsTable
  audit_events: AuditEventsTable
  campaign_updates: CampaignUpdatesTable
  campaign_update_translations: CampaignUpdateTranslationsTable
  email_unsubscribes: EmailUnsubscribesTable
  email_suppressions: EmailSuppressionsTable
  resend_events: ResendEventsTable
  campaign_milestone_crossings: CampaignMilestoneCrossingsTable
  campaign_responses: CampaignResponsesTable
  delivery_packs: DeliveryPacksTable
  campaign_deliveries: CampaignDeliveriesTable
  api_keys: ApiKeysTable
  integrity_actions: IntegrityActionsTable
  spent_challenges: SpentChallengesTable
}

export interface IntegrityActionsTable {
  id: Id
  campaign_id: RefId
  kind: 'release' | 'invalidate'
  filter: ColumnType<Record<string, unknown>, string, string>
  /** The newest signature the preview saw: the action never touches a later one. */
  up_to_id: RefId
  previewed: number
  processed: Generated<number>
  count_change: Generated<number>
  status: Generated<'running' | 'done'>
  actor_user_id: RefId | null
  created_at: Timestamp
  finished_at: NullableTimestamp
}

export interface SpentChallengesTable {
  signature_hash: Buffer
  expires_at: Timestamp
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
export type User = Selectable<UsersTable>
export type Membership = Selectable<MembershipsTable>
export type Session = Selectable<SessionsTable>
export type Invitation = Selectable<InvitationsTable>
export type AuditEvent = Selectable<AuditEventsTable>
export type Donation = Selectable<DonationsTable>
export type NewDonation = Insertable<DonationsTable>
export type DonationUpdate = Updateable<DonationsTable>
export type DonationPayment = Selectable<DonationPaymentsTable>
export type NewDonationPayment = Insertable<DonationPaymentsTable>
export type CampaignImage = Selectable<CampaignImagesTable>
export type CampaignMilestone = Selectable<CampaignMilestonesTable>
