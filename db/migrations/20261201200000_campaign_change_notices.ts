import { sql, type Kysely } from 'kysely'

// Frozen in time once landed: never import application code here.
// Every web process keeps a short-lived cache of each campaign's public page and JSON
// (decision 0021). A change to what they show notifies `chorus_campaign_changed` with the
// campaign's id, delivered on commit to every process listening, so caches drop the entry at
// once; the counter's fold updates `campaigns`, so new signatures notify too.
const TABLES = ['campaign_translations', 'campaign_donation_totals', 'campaign_milestones', 'campaign_updates', 'campaign_responses']

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function notify_campaign_changed() returns trigger language plpgsql as $$
    begin
      -- tg_argv[0] names the column holding the campaign's id.
      perform pg_notify('chorus_campaign_changed', coalesce(to_jsonb(new), to_jsonb(old)) ->> tg_argv[0]);
      return null;
    end $$`.execute(db)
  await sql`create trigger campaigns_notify_changed after insert or update or delete on campaigns
    for each row execute function notify_campaign_changed('id')`.execute(db)
  for (const table of TABLES) {
    await sql`create trigger ${sql.raw(`${table}_notify_changed`)} after insert or update or delete on ${sql.table(table)}
      for each row execute function notify_campaign_changed('campaign_id')`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [...TABLES, 'campaigns']) {
    await sql`drop trigger if exists ${sql.raw(`${table}_notify_changed`)} on ${sql.table(table)}`.execute(db)
  }
  await sql`drop function if exists notify_campaign_changed()`.execute(db)
}
