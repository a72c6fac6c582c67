import type { Migration } from 'kysely'
import * as m20261125000000 from './20261125000000_foundation'
import * as m20261125100000 from './20261125100000_donations'
import * as m20261125110000 from './20261125110000_admin_access'
import * as m20261125120000 from './20261125120000_campaign_editing'
import * as m20261125130000 from './20261125130000_campaign_insights'

// Every migration, by name, in order. A test checks that each file in this folder is listed.
export const migrations: Record<string, Migration> = {
  '20261125000000_foundation': m20261125000000,
  '20261125100000_donations': m20261125100000,
  '20261125110000_admin_access': m20261125110000,
  '20261125120000_campaign_editing': m20261125120000,
  '20261125130000_campaign_insights': m20261125130000,
}
