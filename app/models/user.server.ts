import { sql } from 'kysely'
import type { User } from '#db/types'
import { getDb, type Executor } from '~/utils/db.server'

/** One address is one user whatever its capitals or surrounding spaces. */
export function normaliseUserEmail(email: string): string {
  return email.trim().toLowerCase()
}

export async function getUserByEmail(email: string, executor: Executor = getDb()): Promise<User | undefined> {
  return await executor.selectFrom('users').selectAll().where('email', '=', normaliseUserEmail(email)).executeTakeFirst()
}

export async function getUserById(id: string, executor: Executor = getDb()): Promise<User | undefined> {
  return await executor.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Finds the user with this address or creates one; safe when two requests race (one insert wins). */
export async function findOrCreateUser(
  executor: Executor,
  { email, name = null, locale = 'en' }: { email: string; name?: string | null; locale?: string },
): Promise<User> {
  const normalised = normaliseUserEmail(email)
  const inserted = await executor
    .insertInto('users')
    .values({ email: normalised, name, locale })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst()
  if (inserted) return inserted
  return await executor.selectFrom('users').selectAll().where('email', '=', normalised).executeTakeFirstOrThrow()
}

export async function updateUserName(executor: Executor, userId: string, name: string | null) {
  await executor
    .updateTable('users')
    .set({ name, updated_at: sql`now()` })
    .where('id', '=', userId)
    .execute()
}
