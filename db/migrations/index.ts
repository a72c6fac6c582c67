import type { Migration } from 'kysely'
import * as m20261125000000 from './20261125000000_foundation'

// Every migration, by name, in order. A test checks that each file in this folder is listed.
export const migrations: Record<string, Migration> = {
  '20261125000000_foundation': m20261125000000,
}
