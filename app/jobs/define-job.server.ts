import type { JobHelpers, Task } from 'graphile-worker'
import { z } from 'zod'

/** A graphile-worker task with its name and payload schema, declared once in the job's file. */
export interface Job<Name extends string = string, Schema extends z.ZodTypeAny = z.ZodTypeAny> {
  readonly name: Name
  readonly payload: Schema
  readonly task: Task
}

/**
 * Declares a job. The worker parses every payload with `payload` before `run` sees it, and
 * `enqueueJob` takes only this name with a payload of this schema (app/jobs/index.server.ts).
 */
export function defineJob<const Name extends string, Schema extends z.ZodTypeAny>(
  name: Name,
  payload: Schema,
  run: (payload: z.output<Schema>, helpers: JobHelpers) => Promise<void>,
): Job<Name, Schema> {
  return { name, payload, task: async (raw, helpers) => await run(payload.parse(raw ?? {}), helpers) }
}

/** The payload of a job that takes nothing (cron adds its own `_cron` field, which is dropped). */
export const NoPayloadSchema = z.object({})
