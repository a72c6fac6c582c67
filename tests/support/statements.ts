import { DefaultQueryExecutor } from 'kysely'
import { vi } from 'vitest'

/**
 * Every statement Kysely sends while `work` runs (through getDb() and every transaction), in
 * order: to prove a path's round trips do not grow with its input.
 */
export async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const spy = vi.spyOn(DefaultQueryExecutor.prototype, 'executeQuery')
  try {
    await work()
    return spy.mock.calls.map(([query]) => query.sql)
  } finally {
    spy.mockRestore()
  }
}
