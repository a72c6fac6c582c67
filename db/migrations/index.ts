import type { Migration } from 'kysely'
import * as m20261125000000 from './20261125000000_foundation'
import * as m20261125100000 from './20261125100000_donations'
import * as m20261125110000 from './20261125110000_admin_access'
import * as m20261125120000 from './20261125120000_campaign_editing'
import * as m20261125130000 from './20261125130000_campaign_insights'
import * as m20261125140000 from './20261125140000_followups'
import * as m20261125141000 from './20261125141000_followup_updates'
import * as m20261125142000 from './20261125142000_deliverability'
import * as m20261125143000 from './20261125143000_timeline'
import * as m20261125144000 from './20261125144000_delivery'
import * as m20261125145000 from './20261125145000_osdi_api'
import * as m20261201200000 from './20261201200000_campaign_change_notices'
import * as m20261201300000 from './20261201300000_email_outbox'
import * as m20261201400000 from './20261201400000_integrity'
import * as m20261201500000 from './20261201500000_organisation_identity'
import * as m20261201510000 from './20261201510000_campaign_share_cards'
import * as m20261201520000 from './20261201520000_encryption_at_rest'
import * as m20261201710000 from './20261201710000_address_hash_expiry'
import * as m20261201720000 from './20261201720000_my_data_requests'
import * as m20261202100000 from './20261202100000_retention_settings'
import * as m20261202120000 from './20261202120000_api_key_crm_sync'
import * as m20261202130000 from './20261202130000_contact_erasure'
import * as m20261203100000 from './20261203100000_consent_wording_api_keys'
import * as m20261204100000 from './20261204100000_signature_indexes'
import * as m20261205100000 from './20261205100000_refused_emails_index'

// Every migration, by name, in order. A test checks that each file in this folder is listed.
export const migrations: Record<string, Migration> = {
  '20261125000000_foundation': m20261125000000,
  '20261125100000_donations': m20261125100000,
  '20261125110000_admin_access': m20261125110000,
  '20261125120000_campaign_editing': m20261125120000,
  '20261125130000_campaign_insights': m20261125130000,
  '20261125140000_followups': m20261125140000,
  '20261125141000_followup_updates': m20261125141000,
  '20261125142000_deliverability': m20261125142000,
  '20261125143000_timeline': m20261125143000,
  '20261125144000_delivery': m20261125144000,
  '20261125145000_osdi_api': m20261125145000,
  '20261201200000_campaign_change_notices': m20261201200000,
  '20261201300000_email_outbox': m20261201300000,
  '20261201400000_integrity': m20261201400000,
  '20261201500000_organisation_identity': m20261201500000,
  '20261201510000_campaign_share_cards': m20261201510000,
  '20261201520000_encryption_at_rest': m20261201520000,
  '20261201710000_address_hash_expiry': m20261201710000,
  '20261201720000_my_data_requests': m20261201720000,
  '20261202100000_retention_settings': m20261202100000,
  '20261202120000_api_key_crm_sync': m20261202120000,
  '20261202130000_contact_erasure': m20261202130000,
  '20261203100000_consent_wording_api_keys': m20261203100000,
  '20261204100000_signature_indexes': m20261204100000,
  '20261205100000_refused_emails_index': m20261205100000,
}
