import type { UpdateKind } from '#db/types'
import type { Executor } from '~/utils/db.server'

// CONTRACT (issue 5): updates to a campaign's signers. Milestone, response and delivery notices
// are created and sent through these two functions by their own models. The updates helper
// replaces these stubs with the real implementation; the signatures stay as they are.

export interface UpdateContent {
  locale: string
  subject: string
  /** Markdown; sanitised when rendered. */
  body: string
}

/** Creates a draft update (one translation per locale given). Returns its id. */
export async function createCampaignUpdate(
  executor: Executor,
  input: { campaignId: string; kind: UpdateKind; content: UpdateContent[]; createdBy: string | null; public?: boolean },
): Promise<{ id: string }> {
  void executor
  void input
  throw new Error('createCampaignUpdate: not implemented yet')
}

/**
 * Starts sending a draft update: marks it 'sending' and enqueues the fan-out job, in the caller's
 * transaction. Cheap (no per-recipient work here), so the counter's fold may call it.
 */
export async function startUpdateSend(
  executor: Executor,
  updateId: string,
  sentBy: string | null,
): Promise<void> {
  void executor
  void updateId
  void sentBy
  throw new Error('startUpdateSend: not implemented yet')
}
