import type { UpdateKind } from '#db/types'
import type { Executor } from '~/utils/db.server'
import { enqueueJob, type JobName } from '~/jobs/enqueue.server'

// CONTRACT: updates to a campaign's signers. Milestone, response and delivery notices
// are created and sent through these two functions by their own models. Who an update reaches is
// campaign-update-audience.server.ts; the workspace's drafts and progress are
// campaign-update-workspace.server.ts; the fan-out job is campaign-update-send.server.ts.

export interface UpdateContent {
  locale: string
  subject: string
  /** Markdown; sanitised when rendered. */
  body: string
}

export const SEND_UPDATE_TASK = 'send-campaign-update' satisfies JobName

/** The job key of an update's fan-out: one job per update, however often sending is asked for. */
export function sendUpdateJobKey(updateId: string): string {
  return `${SEND_UPDATE_TASK}/${updateId}`
}

/** Creates a draft update (one translation per locale given). Returns its id. */
export async function createCampaignUpdate(
  executor: Executor,
  input: { campaignId: string; kind: UpdateKind; content: UpdateContent[]; createdBy: string | null; public?: boolean },
): Promise<{ id: string }> {
  const update = await executor
    .insertInto('campaign_updates')
    .values({
      campaign_id: input.campaignId,
      kind: input.kind,
      public: input.public ?? true,
      created_by: input.createdBy,
      created_at: new Date(),
      updated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const seen = new Set<string>()
  const rows = input.content.filter((c) => !seen.has(c.locale) && seen.add(c.locale))
  if (rows.length > 0) {
    await executor
      .insertInto('campaign_update_translations')
      .values(rows.map((c) => ({ update_id: update.id, locale: c.locale, subject: c.subject, body: c.body })))
      .execute()
  }
  return { id: update.id }
}

export class UpdateNotSendableError extends Error {
  constructor(
    readonly updateId: string,
    readonly status: string | null,
  ) {
    super(status === null ? `Update ${updateId} does not exist` : `Update ${updateId} is ${status}, not a draft`)
    this.name = 'UpdateNotSendableError'
  }
}

/**
 * Starts sending a draft update: marks it 'sending' and enqueues the fan-out job, in the caller's
 * transaction. Cheap (no per-recipient work here), so the counter's fold may call it.
 * Asking again for an update that is already sending or sent does nothing; a missing or
 * cancelled update throws UpdateNotSendableError.
 */
export async function startUpdateSend(executor: Executor, updateId: string, sentBy: string | null): Promise<void> {
  const now = new Date()
  const started = await executor
    .updateTable('campaign_updates')
    .set({ status: 'sending', send_started_at: now, sent_by: sentBy, updated_at: now })
    .where('id', '=', updateId)
    .where('status', '=', 'draft')
    .returning('id')
    .executeTakeFirst()
  if (!started) {
    const existing = await executor.selectFrom('campaign_updates').select('status').where('id', '=', updateId).executeTakeFirst()
    if (existing && (existing.status === 'sending' || existing.status === 'sent')) return
    throw new UpdateNotSendableError(updateId, existing?.status ?? null)
  }
  // unsafe_dedupe: while a job with this key exists (even one running) no second one is added.
  await enqueueJob(executor, SEND_UPDATE_TASK, { updateId }, { jobKey: sendUpdateJobKey(updateId), jobKeyMode: 'unsafe_dedupe', maxAttempts: 25 })
}
