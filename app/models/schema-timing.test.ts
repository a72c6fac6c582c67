import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ResendEmailEventSchema } from '~/models/email-delivery.server'
import { ResponseActionSchema } from '~/models/campaign-response-schema'
import { SendUpdateSchema, UpdateDraftSchema, UpdateTranslationSchema } from '~/models/campaign-update-schema'
import { BuildPackSchema, RecordDeliverySchema } from '~/models/delivery-schema'
import { donateSchema } from '~/models/donation-schema'
import { RecordSignatureSchema } from '~/models/osdi-signature.server'
import { SignCampaignServerSchema } from '~/models/signature.server'
import { SupporterActionSchema, SupporterListQuerySchema } from '~/models/supporter-schema'
import { AccountActionSchema } from '~/routes/admin.account'
import { ApiKeyActionSchema } from '~/routes/admin.api-keys'
import { campaignEditorSchema } from '~/models/campaign-editor-schema'
import { ListStateSchema } from '~/routes/admin.campaigns.$campaignId.supporters'
import { IntentSchema } from '~/routes/admin.campaigns.$campaignId.updates.$updateId'
import { NewCampaignSchema } from '~/routes/admin.campaigns.new'
import { MemberActionSchema } from '~/routes/admin.members'
import { SignInSchema } from '~/routes/admin.sign-in'
import { SuppressionActionSchema, SuppressionSearchSchema } from '~/routes/admin.suppressions'
import { ManageDonationSchema } from '~/routes/donations.$id.manage'
import { UnsubscribeSchema } from '~/routes/unsubscribe.$token'
import { VerifyQuerySchema } from '~/models/verify-schema.server'
import { RetentionSettingsSchema } from '~/models/retention-schema'

// No validation does more than linear work. Every field of every schema that reads
// input gets 64 KB adversarial strings (the shapes that make backtracking regular expressions
// blow up) and must answer within a few milliseconds. The old name rule took ~2.4 s on one.

const SIZE = 64 * 1024
const fill = (unit: string, tail = '') => unit.repeat(Math.ceil((SIZE - tail.length) / unit.length)).slice(0, SIZE - tail.length) + tail
const ADVERSARIAL: Record<string, string> = {
  letters: fill('a'),
  lettersThenBang: fill('a', '!'),
  dottedLabels: fill('a.', '!'),
  dashedLabels: fill('a-', '.'),
  urlish: fill('www.', 'x'),
  schemes: fill('http:/', '/'),
  domainRun: fill('ab1-', '.co'),
  atSigns: fill('a@', '.'),
  emailLocal: fill('a.', '@a'),
  emailDomain: 'a@' + fill('a-a.', '!').slice(2),
  digits: fill('0', 'x'),
  dates: fill('2024-01-01', 'x'),
  spaces: fill(' ', 'x'),
  spacesNewline: fill(' \t', '\n'),
  combining: 'a' + fill('\u0301'),
  bidi: fill('\u202e\u200b'),
  nul: fill('\u0000'),
  formula: '=' + fill('-').slice(1),
}

type AnySchema = z.ZodTypeAny

/** The fields of an object schema, with the discriminators that select its branch. */
function objectsOf(schema: AnySchema): { shape: Record<string, AnySchema>; fixed: Record<string, unknown> }[] {
  const def = schema._def
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, AnySchema>
    const fixed: Record<string, unknown> = {}
    for (const [key, field] of Object.entries(shape)) if (field instanceof z.ZodLiteral) fixed[key] = field.value
    return [{ shape, fixed }]
  }
  if (schema instanceof z.ZodEffects) return objectsOf(def.schema)
  if (schema instanceof z.ZodDiscriminatedUnion) return (schema.options as AnySchema[]).flatMap(objectsOf)
  if (schema instanceof z.ZodIntersection) return [...objectsOf(def.left), ...objectsOf(def.right)]
  return []
}

/** Nested objects and arrays of objects (the OSDI body) are walked too: a string at every leaf. */
function inputsFor(shape: Record<string, AnySchema>, fixed: Record<string, unknown>, value: string): { path: string; input: unknown }[] {
  const out: { path: string; input: unknown }[] = []
  for (const [key, field] of Object.entries(shape)) {
    let inner: AnySchema = field
    while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodNullable) inner = inner._def.innerType
    if (inner instanceof z.ZodObject) {
      for (const nested of inputsFor(inner.shape, {}, value)) out.push({ path: `${key}.${nested.path}`, input: { ...fixed, [key]: nested.input } })
    } else if (inner instanceof z.ZodArray && inner.element instanceof z.ZodObject) {
      for (const nested of inputsFor(inner.element.shape, {}, value)) out.push({ path: `${key}[0].${nested.path}`, input: { ...fixed, [key]: [nested.input] } })
    } else if (inner instanceof z.ZodArray) {
      out.push({ path: `${key}[0]`, input: { ...fixed, [key]: [value] } })
    } else {
      out.push({ path: key, input: { ...fixed, [key]: value } })
    }
  }
  return out
}

const rules = { currency: 'GBP', presets: [500, 1000], minMinor: 100, maxMinor: 1_000_000 }
const SCHEMAS: Record<string, AnySchema> = {
  SignCampaignServerSchema,
  donateSchema: donateSchema(rules),
  RecordSignatureSchema,
  ResendEmailEventSchema,
  ResponseActionSchema,
  UpdateDraftSchema,
  UpdateTranslationSchema,
  SendUpdateSchema,
  BuildPackSchema,
  RecordDeliverySchema,
  SupporterListQuerySchema,
  SupporterActionSchema,
  AccountActionSchema,
  ApiKeyActionSchema,
  campaignEditorSchema: campaignEditorSchema({ organisationCurrency: 'GBP', hasImage: false, isBase: true }),
  ListStateSchema,
  IntentSchema,
  NewCampaignSchema,
  MemberActionSchema,
  SignInSchema,
  SuppressionActionSchema,
  SuppressionSearchSchema,
  ManageDonationSchema,
  UnsubscribeSchema,
  VerifyQuerySchema,
  RetentionSettingsSchema,
}

/** The fastest of a few runs: a busy machine slows some runs, never all of them. */
function bestOf(runs: number, work: () => void): number {
  let best = Infinity
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    work()
    best = Math.min(best, performance.now() - started)
  }
  return best
}

const LIMIT_MS = 5

describe('every schema does linear work on hostile input', () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(`${name}: each field, each 64 KB adversarial string, under ${LIMIT_MS} ms`, () => {
      const objects = objectsOf(schema)
      expect(objects.length).toBeGreaterThan(0)
      const slow: string[] = []
      let checked = 0
      for (const { shape, fixed } of objects) {
        for (const [kind, value] of Object.entries(ADVERSARIAL)) {
          for (const { path, input } of inputsFor(shape, fixed, value)) {
            const ms = bestOf(3, () => schema.safeParse(input))
            checked++
            if (ms > LIMIT_MS) slow.push(`${path} with ${kind}: ${ms.toFixed(1)} ms`)
          }
        }
      }
      expect(checked).toBeGreaterThan(0)
      expect(slow).toEqual([])
    })
  }
})

describe('markdown made plain text does linear work on hostile input', () => {
  // An update's message becomes plain text for the JSON and for text emails. Trailing blanks were
  // removed with /[ \t]+\n/g, which retried from every blank of a run: 64 KB of " \t" took ~19 s.
  it(`64 KB runs of blanks, under 50 ms`, async () => {
    const { markdownToText } = await import('~/utils/markdown.server')
    const slow: string[] = []
    let run = 0
    const blanks = {
      spaces: ADVERSARIAL.spaces!,
      spacesNewline: ADVERSARIAL.spacesNewline!,
      spacesTabs: fill(' \t', 'x'),
      tabsThenText: 'a' + fill('\t \t', 'b\n'),
    }
    for (const [kind, value] of Object.entries(blanks)) {
      // A different text each run: markdownToText remembers its answers.
      const ms = bestOf(3, () => void markdownToText(`${value}${run++}`))
      if (ms > 50) slow.push(`${kind}: ${ms.toFixed(1)} ms`)
    }
    expect(slow).toEqual([])
  })
})

describe('markdown rendering does linear work on hostile input', () => {
  // Stories and updates are markdown written by campaigners (20,000 characters at most; the editor
  // previews whatever it is sent). marked scanned the rest of a paragraph once per possible start
  // of a construct: 64 KB of `a.a.a…@a` (its GFM e-mail autolink) took ~11 s, 4 KB of `[a](` ~4 s,
  // and 4,000 nested `>` overflowed the stack (a 500).
  const STORY_MAX = 20_000
  const story = (unit: string, tail = '') => unit.repeat(Math.ceil((STORY_MAX - tail.length) / unit.length)).slice(0, STORY_MAX - tail.length) + tail
  const HOSTILE_MARKDOWN: Record<string, string> = {
    emailAutolink: story('a.', '@a'),
    emailAutolinkLetters: story('a', '@a'),
    addressRun: story('a@'),
    // 4 KB only: the old renderer's time grew with the cube of this one (4 KB: ~4 s).
    linkOpeners: '[a]('.repeat(1000),
    brackets: story('['),
    images: story('!['),
    underscores: story('_a'),
    underscoresSpaced: story('_a '),
    stars: story('*a'),
    nestedEmphasis: story('*', 'a') + story('*'),
    backticks: story('`a'),
    angles: story('<a'),
    quotes: story('>'),
    nestedQuotes: story('> '),
    nestedLists: story('  - '),
    urls: story('http://a '),
    mixed: story('*_[`<a'),
  }
  // Timed against an ordinary story of the same length, rendered in the same moments, so a busy
  // machine slows both. Linear work stays within a factor of it (dense markup like `![![![…` is
  // linear but costs up to ~70 times an ordinary story); the old renderer took several hundred
  // times longer (a.a.a…@a, [a]( at 4 KB) or threw (nested quotes).
  const ordinary = story('Campaigners write **plain** prose with _some_ emphasis and [a link](https://example.org/a).\n\n')
  const FACTOR = 100
  const FLOOR_MS = 50

  it(`each 20,000-character hostile story renders within ${FACTOR}× an ordinary one (or ${FLOOR_MS} ms)`, async () => {
    const { renderMarkdown } = await import('~/utils/markdown.server')
    const slow: string[] = []
    let run = 0
    for (const [kind, value] of Object.entries(HOSTILE_MARKDOWN)) {
      // A different text each run: renderMarkdown remembers its answers.
      const baseline = bestOf(3, () => void renderMarkdown(`${ordinary}${run++}`))
      const ms = bestOf(3, () => void renderMarkdown(`${value}${run++}`))
      if (ms > FLOOR_MS && ms > FACTOR * baseline) slow.push(`${kind}: ${ms.toFixed(1)} ms (ordinary: ${baseline.toFixed(1)} ms)`)
    }
    expect(slow).toEqual([])
  })
})
