import { parseCronItems, type TaskList } from 'graphile-worker'
import { reconcileCounts } from '~/jobs/reconcile-counts.server'
import { updateCounts } from '~/jobs/update-counts.server'
import { pruneSessions } from '~/jobs/prune-sessions.server'
import { pruneStripeEvents } from '~/jobs/prune-stripe-events.server'
import { closeDueCampaigns } from '~/jobs/close-due-campaigns.server'
import { sendCampaignUpdate } from '~/jobs/send-campaign-update.server'
import { resumeUpdateSends } from '~/jobs/resume-update-sends.server'
import { sendEmailBatch } from '~/jobs/send-email-batch.server'
import { LEGACY_EMAIL_TASKS, moveLegacyEmailJob } from '~/jobs/move-legacy-email-job.server'
import { pruneWorkerRecords } from '~/jobs/prune-worker-records.server'
import { SENDER_JOB_KEY, SENDER_TASK } from '~/models/email-outbox.server'
import { sendSenderVerification } from '~/jobs/send-sender-verification.server'
import { detectSigningSurgesJob } from '~/jobs/detect-signing-surges.server'
import { runIntegrityActionJob } from '~/jobs/run-integrity-action.server'
import { requestSignInLinkJob } from '~/jobs/request-sign-in-link.server'
import { eraseAddressHashes } from '~/jobs/erase-address-hashes.server'
import { REQUEST_SIGN_IN_LINK_TASK } from '~/models/sign-in.server'

export const taskList: TaskList = {
  'update-counts': updateCounts,
  'reconcile-counts': reconcileCounts,
  'prune-sessions': pruneSessions,
  'prune-stripe-events': pruneStripeEvents,
  'close-due-campaigns': closeDueCampaigns,
  'send-campaign-update': sendCampaignUpdate,
  'resume-update-sends': resumeUpdateSends,
  [SENDER_TASK]: sendEmailBatch,
  'prune-worker-records': pruneWorkerRecords,
  ...Object.fromEntries(LEGACY_EMAIL_TASKS.map((task) => [task, moveLegacyEmailJob])),
  'send-sender-verification': sendSenderVerification,
  'detect-signing-surges': detectSigningSurgesJob,
  'run-integrity-action': runIntegrityActionJob,
  [REQUEST_SIGN_IN_LINK_TASK]: requestSignInLinkJob,
  'erase-address-hashes': eraseAddressHashes,
}

export const cronItems = parseCronItems([
  { task: 'reconcile-counts', match: '0 3 * * *', identifier: 'nightly-reconcile-counts' },
  { task: 'prune-sessions', match: '30 3 * * *', identifier: 'nightly-prune-sessions' },
  { task: 'prune-stripe-events', match: '45 3 * * *', identifier: 'nightly-prune-stripe-events' },
  { task: 'close-due-campaigns', match: '* * * * *', identifier: 'close-due-campaigns' },
  // Updates whose sender died mid-way carry on (decision 0010).
  { task: 'resume-update-sends', match: '* * * * *', identifier: 'resume-update-sends' },
  // Attack mode on and off by signing rate (decision 0030).
  { task: 'detect-signing-surges', match: '* * * * *', identifier: 'detect-signing-surges' },
  // Restarts the counter's self-scheduling chain should it ever stop (same job key: no duplicates).
  { task: 'update-counts', match: '* * * * *', identifier: 'update-counts-watchdog', options: { jobKey: 'update-counts', jobKeyMode: 'preserve_run_at' } },
  // The same for the outbox's sender (decision 0025).
  { task: SENDER_TASK, match: '* * * * *', identifier: 'send-email-batch-watchdog', options: { jobKey: SENDER_JOB_KEY, jobKeyMode: 'preserve_run_at' } },
  { task: 'prune-worker-records', match: '15 4 * * *', identifier: 'nightly-prune-worker-records' },
  // Client-address hashes are kept 30 days (decision 0015).
  { task: 'erase-address-hashes', match: '30 4 * * *', identifier: 'nightly-erase-address-hashes' },
])
