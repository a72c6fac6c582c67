import type { Kysely } from 'kysely'

// Frozen in time once landed: never import application code here.
//
// Empty on purpose. The follow-up work (updates, deliverability, the timeline, delivery, the API)
// reserved one migration slot per part; the timeline's tables (`campaign_milestone_crossings`,
// `campaign_responses`) were created in 20261125140000_followups with the rest, and the timeline
// itself is a query over them (app/models/timeline.server.ts), so this slot had nothing left to
// add. It stays registered because installations have already recorded it as run: removing it
// would make the migrator refuse their databases as having an unknown migration.
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
