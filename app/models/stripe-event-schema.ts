import { z } from 'zod'

// The Stripe events Chorus acts on, checked for the fields it reads before anything is written.
// A correctly signed event of another shape (a test sent from the dashboard, an API version we
// do not know, a bug at Stripe) is answered 400 instead of failing half-way with a 500 that Stripe
// would retry for three days (decision 0015).

/** An expandable reference: an id, the object itself, or nothing. */
const ref = z.union([z.string().max(255), z.object({ id: z.string().max(255) }).passthrough()]).nullish()
const amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish()
const currency = z
  .string()
  .regex(/^[a-zA-Z]{3}$/)
  .nullish()
const metadata = z.record(z.string().max(500)).nullish()
const timestamp = z.number().int().min(0).nullish()
const objectWith = <T extends z.ZodRawShape>(shape: T) => z.object({ id: z.string().min(1).max(255), ...shape }).passthrough()

const checkoutSession = objectWith({
  metadata,
  client_reference_id: z.string().max(255).nullish(),
  payment_intent: ref,
  customer: ref,
  subscription: ref,
  amount_total: amount,
  currency,
  mode: z.string().max(50).nullish(),
  payment_status: z.string().max(50).nullish(),
})

const invoice = objectWith({
  amount_paid: amount,
  currency,
  customer: ref,
  payment_intent: ref,
  subscription: ref,
  subscription_details: z.object({ metadata }).passthrough().nullish(),
  parent: z
    .object({ subscription_details: z.object({ subscription: ref, metadata }).passthrough().nullish() })
    .passthrough()
    .nullish(),
  status_transitions: z.object({ paid_at: timestamp }).passthrough().nullish(),
})

const subscription = objectWith({ metadata, canceled_at: timestamp, ended_at: timestamp })
const charge = objectWith({ payment_intent: ref, amount_refunded: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })
const dispute = objectWith({ charge: ref, payment_intent: ref, status: z.string().min(1).max(50) })

const OBJECT_OF: Record<string, z.ZodTypeAny> = {
  'checkout.session.completed': checkoutSession,
  'checkout.session.async_payment_succeeded': checkoutSession,
  'checkout.session.async_payment_failed': checkoutSession,
  'checkout.session.expired': checkoutSession,
  'invoice.paid': invoice,
  'invoice.payment_failed': invoice,
  'customer.subscription.deleted': subscription,
  'charge.refunded': charge,
  'charge.dispute.created': dispute,
  'charge.dispute.closed': dispute,
}

export const StripeEventEnvelopeSchema = z
  .object({
    id: z.string().min(1).max(255),
    type: z.string().min(1).max(100),
    created: z.number().int().min(0),
    data: z.object({ object: z.record(z.unknown()) }).passthrough(),
  })
  .passthrough()

/** True when the event has the fields Chorus reads, of the types it reads them as. */
export function isWellFormedStripeEvent(event: unknown): boolean {
  const envelope = StripeEventEnvelopeSchema.safeParse(event)
  if (!envelope.success) return false
  const object = OBJECT_OF[envelope.data.type]
  return object ? object.safeParse(envelope.data.data.object).success : true
}
