import { sql } from 'kysely'
import { createCampaign } from './factories'
import { openEmailRow } from './jobs'
import { createCampaignUpdate, startUpdateSend } from '~/models/campaign-update.server'
import { runUpdateFanOut } from '~/models/campaign-update-send.server'
import { sendNextBatch, type SendOptions } from '~/models/email-sender.server'
import { getDb } from '~/utils/db.server'

// Update fan-outs for the tests of the update job and of the email sender.

const db = () => getDb()

/** The job, then the outbox's sender until nothing is due; `afterBatch` runs after each batch it sends. */
export async function sendUpdate(updateId: string, { afterBatch, ...options }: SendOptions & { afterBatch?: (n: number) => void | Promise<void> } = {}) {
  const fanOut = await runUpdateFanOut(updateId)
  let batches = 0
  for (;;) {
    const outcome = await sendNextBatch('test-sender', options)
    if (outcome.status === 'idle' || outcome.status === 'paused' || outcome.status === 'retry') break
    batches += 1
    await afterBatch?.(batches - 1)
  }
  return { ...fanOut, batches }
}

/** A live campaign with `count` opted-in confirmed signers (every third in Russian), and a sending update. */
export async function updateTo(count: number, { locale = 'en' } = {}) {
  const campaign = await createCampaign(db(), {
    locale,
    translations: { ru: { title: 'Свободу правозащитникам', summary: 'Кратко', demand: 'Требуем', target_name: 'Министр' } },
  })
  await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, consent_updates, confirmed_at, locale)
    select ${campaign.id}, 'Signer ' || n, 'fan-' || n || '@example.org', 'fan-' || n || '@example.org', 'GB', 'v1', 'confirmed', true, now(),
      case when n % 3 = 0 then 'ru' else 'en' end
    from generate_series(1, ${count}) n`.execute(db())
  const { id } = await createCampaignUpdate(db(), {
    campaignId: campaign.id,
    kind: 'update',
    content: [
      { locale: 'en', subject: 'We met the minister', body: 'It went **well**.\n\n<script>alert(1)</script>' },
      { locale: 'ru', subject: 'Мы встретились с министром', body: 'Всё прошло **хорошо**.' },
    ],
    createdBy: null,
  })
  await startUpdateSend(db(), id, null)
  return { campaign, updateId: id }
}

export async function rowsOf(updateId: string) {
  return await Promise.all((await db().selectFrom('email_messages').selectAll().where('update_id', '=', updateId).orderBy('id').execute()).map(openEmailRow))
}

export async function updateRow(updateId: string) {
  return await db().selectFrom('campaign_updates').selectAll().where('id', '=', updateId).executeTakeFirstOrThrow()
}
