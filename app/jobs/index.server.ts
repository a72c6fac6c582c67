import { parseCronItems, type CronItem, type TaskList } from 'graphile-worker'
import type { z } from 'zod'
import { closeDueCampaigns } from '~/jobs/close-due-campaigns.server'
import { detectSigningSurgesJob } from '~/jobs/detect-signing-surges.server'
import { LEGACY_EMAIL_TASKS, moveLegacyEmailJob } from '~/jobs/move-legacy-email-job.server'
import { pruneSessions } from '~/jobs/prune-sessions.server'
import { pruneStripeEvents } from '~/jobs/prune-stripe-events.server'
import { pruneWorkerRecords } from '~/jobs/prune-worker-records.server'
import { reconcileCounts } from '~/jobs/reconcile-counts.server'
import { resumeUpdateSends } from '~/jobs/resume-update-sends.server'
import { runIntegrityActionJob } from '~/jobs/run-integrity-action.server'
import { eraseAddressHashes } from '~/jobs/erase-address-hashes.server'
import { eraseExpiredContactsJob } from '~/jobs/erase-expired-contacts.server'
import { requestSignInLinkJob } from '~/jobs/request-sign-in-link.server'
import { sendCampaignUpdate } from '~/jobs/send-campaign-update.server'
import { sendEmailBatch } from '~/jobs/send-email-batch.server'
import { sendSenderVerification } from '~/jobs/send-sender-verification.server'
import { updateCounts } from '~/jobs/update-counts.server'
import { SENDER_JOB_KEY } from '~/models/email-outbox.server'

/** Every job the worker runs; its name and payload type come from here (see enqueueJob). */
const JOBS = [
  updateCounts,
  reconcileCounts,
  pruneSessions,
  pruneStripeEvents,
  closeDueCampaigns,
  sendCampaignUpdate,
  resumeUpdateSends,
  sendEmailBatch,
  pruneWorkerRecords,
  sendSenderVerification,
  detectSigningSurgesJob,
  runIntegrityActionJob,
  requestSignInLinkJob,
  eraseAddressHashes,
  eraseExpiredContactsJob,
] as const

type RegisteredJob = (typeof JOBS)[number]
export type JobName = RegisteredJob['name']
export type JobPayload<Name extends JobName> = z.input<Extract<RegisteredJob, { name: Name }>['payload']>

export const taskList: TaskList = {
  ...Object.fromEntries(JOBS.map((job) => [job.name, job.task])),
  // Names of the previous release's email jobs: never enqueued now, only drained.
  ...Object.fromEntries(LEGACY_EMAIL_TASKS.map((task) => [task, moveLegacyEmailJob])),
}

type Cron = Omit<CronItem, 'task'> & { task: JobName }

const CRON: Cron[] = [
  { task: reconcileCounts.name, match: '0 3 * * *', identifier: 'nightly-reconcile-counts' },
  { task: pruneSessions.name, match: '30 3 * * *', identifier: 'nightly-prune-sessions' },
  { task: pruneStripeEvents.name, match: '45 3 * * *', identifier: 'nightly-prune-stripe-events' },
  { task: closeDueCampaigns.name, match: '* * * * *', identifier: 'close-due-campaigns' },
  // Updates whose sender died mid-way carry on (decision 0010).
  { task: resumeUpdateSends.name, match: '* * * * *', identifier: 'resume-update-sends' },
  // Attack mode on and off by signing rate (decision 0030).
  { task: detectSigningSurgesJob.name, match: '* * * * *', identifier: 'detect-signing-surges' },
  // Restarts the counter's self-scheduling chain should it ever stop (same job key: no duplicates).
  { task: updateCounts.name, match: '* * * * *', identifier: 'update-counts-watchdog', options: { jobKey: updateCounts.name, jobKeyMode: 'preserve_run_at' } },
  // The same for the outbox's sender (decision 0025).
  {
    task: sendEmailBatch.name,
    match: '* * * * *',
    identifier: 'send-email-batch-watchdog',
    options: { jobKey: SENDER_JOB_KEY, jobKeyMode: 'preserve_run_at' },
  },
  { task: pruneWorkerRecords.name, match: '15 4 * * *', identifier: 'nightly-prune-worker-records' },
  // Client-address hashes are kept 30 days (decision 0015).
  { task: eraseAddressHashes.name, match: '30 4 * * *', identifier: 'nightly-erase-address-hashes' },
  // Contact details past the organisation's retention settings (decision 0045).
  { task: eraseExpiredContactsJob.name, match: '0 5 * * *', identifier: 'nightly-erase-expired-contacts' },
]

export const cronItems = parseCronItems(CRON)
