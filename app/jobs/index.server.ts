import { parseCronItems, type TaskList } from 'graphile-worker'
import { reconcileCounts } from '~/jobs/reconcile-counts.server'
import { sendAlreadySigned } from '~/jobs/send-already-signed.server'
import { sendSignatureConfirmation } from '~/jobs/send-signature-confirmation.server'
import { sendSignatureThanks } from '~/jobs/send-signature-thanks.server'
import { updateCounts } from '~/jobs/update-counts.server'

export const taskList: TaskList = {
  'send-signature-confirmation': sendSignatureConfirmation,
  'send-already-signed': sendAlreadySigned,
  'send-signature-thanks': sendSignatureThanks,
  'update-counts': updateCounts,
  'reconcile-counts': reconcileCounts,
}

export const cronItems = parseCronItems([
  { task: 'reconcile-counts', match: '0 3 * * *', identifier: 'nightly-reconcile-counts' },
  // Restarts the counter's self-scheduling chain should it ever stop (same job key: no duplicates).
  { task: 'update-counts', match: '* * * * *', identifier: 'update-counts-watchdog', options: { jobKey: 'update-counts', jobKeyMode: 'preserve_run_at' } },
])
