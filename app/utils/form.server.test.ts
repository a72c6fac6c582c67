import { parseWithZod } from '@conform-to/zod'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { fieldsOfUrlEncoded, parseSubmission, parseValidTextForm, readForm } from '~/utils/form.server'

// Shaped like the sign form: optional text, a checkbox, a refinement over the whole object.
const SignLikeSchema = z
  .object({
    fullName: z.string().trim().min(1).max(100),
    email: z.string().trim().email().max(254),
    country: z.string().length(2),
    postcode: z.string().max(12).optional(),
    consentUpdates: z.literal('on').optional(),
    website: z.string().max(0).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.country === 'XX') ctx.addIssue({ code: 'custom', path: ['country'], message: 'sign.error.countryRequired' })
  })

const AmountSchema = z.object({
  amount: z.number().int().min(1),
  note: z.string().max(5).optional(),
  agree: z.boolean().default(false),
  tags: z.array(z.string()).max(2),
})

function form(entries: [string, string][]) {
  const data = new FormData()
  for (const [key, value] of entries) data.append(key, value)
  return data
}

describe('parseSubmission', () => {
  const cases: [string, z.ZodTypeAny, [string, string][]][] = [
    [
      'a valid signature',
      SignLikeSchema,
      [
        ['fullName', 'Ada Lovelace'],
        ['email', 'ada@example.org'],
        ['country', 'GB'],
        ['consentUpdates', 'on'],
      ],
    ],
    [
      'a signature with empty optional fields',
      SignLikeSchema,
      [
        ['fullName', 'Ada'],
        ['email', 'ada@example.org'],
        ['country', 'GB'],
        ['postcode', ''],
        ['website', ''],
      ],
    ],
    [
      'a signature missing its email',
      SignLikeSchema,
      [
        ['fullName', 'Ada'],
        ['email', ''],
        ['country', 'GB'],
      ],
    ],
    [
      'a signature from no country',
      SignLikeSchema,
      [
        ['fullName', 'Ada'],
        ['email', 'ada@example.org'],
        ['country', 'XX'],
      ],
    ],
    [
      'numbers, booleans and lists coerced',
      AmountSchema,
      [
        ['amount', '12'],
        ['agree', 'on'],
        ['tags', 'a'],
        ['tags', 'b'],
      ],
    ],
    [
      'numbers and lists refused',
      AmountSchema,
      [
        ['amount', 'twelve'],
        ['note', 'too long'],
        ['tags', 'a'],
        ['tags', 'b'],
        ['tags', 'c'],
      ],
    ],
  ]

  it.each(cases)('answers %s exactly as parseWithZod does, parse after parse', (_label, schema, entries) => {
    const expected = parseWithZod(form(entries), { schema })
    for (let i = 0; i < 3; i++) {
      const actual = parseSubmission(form(entries), schema)
      expect(actual.status).toBe(expected.status)
      expect(actual.status === 'success' ? actual.value : actual.error).toEqual(expected.status === 'success' ? expected.value : expected.error)
      expect(actual.reply()).toEqual(expected.reply())
    }
  })

  it('refuses what the schema refuses, with the field named', () => {
    const submission = parseSubmission(
      form([
        ['amount', '0'],
        ['tags', 'a'],
      ]),
      AmountSchema,
    )
    expect(submission.status).toBe('error')
    expect(submission.status === 'error' && Object.keys(submission.error ?? {})).toEqual(['amount'])
  })
})

describe('fieldsOfUrlEncoded (the sign fast path reads its body so)', () => {
  const bytes = (text: string) => new TextEncoder().encode(text)

  it('gives the fields readForm gives, NULs dropped whether typed or %00-encoded', async () => {
    const body = 'full%00Name=Ada%00+Lovelace&email=ada%40example.org&note=a\u0000b&plain=yes'
    const fields = [...fieldsOfUrlEncoded(bytes(body))]
    expect(fields).toEqual([
      ['fullName', 'Ada Lovelace'],
      ['email', 'ada@example.org'],
      ['note', 'ab'],
      ['plain', 'yes'],
    ])
    const request = new Request('http://localhost/', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body })
    expect([...(await readForm(request))]).toEqual(fields)
  })

  it('parses as FormData does: parseSubmission gives the same value from either', () => {
    const entries: [string, string][] = [
      ['fullName', ' Ada '],
      ['email', 'ada@example.org'],
      ['country', 'GB'],
      ['consentUpdates', 'on'],
    ]
    const fromFields = parseSubmission(fieldsOfUrlEncoded(bytes(new URLSearchParams(entries).toString())), SignLikeSchema)
    const fromForm = parseSubmission(form(entries), SignLikeSchema)
    expect(fromFields.status).toBe('success')
    expect(fromFields.status === 'success' && fromFields.value).toEqual(fromForm.status === 'success' && fromForm.value)
  })

  it('refuses a body over the limit with a 413, and bytes that are not UTF-8 with a 400', () => {
    const statusOf = (run: () => unknown) => {
      try {
        run()
      } catch (thrown) {
        return (thrown as { init: { status: number } }).init.status
      }
      return null
    }
    expect(statusOf(() => fieldsOfUrlEncoded(bytes(`a=${'x'.repeat(100)}`), 50))).toBe(413)
    expect(statusOf(() => fieldsOfUrlEncoded(new Uint8Array([0x61, 0x3d, 0xff, 0xfe])))).toBe(400)
  })
})

describe('parseValidTextForm (the sign form read without Conform)', () => {
  // Whatever it reads, it reads as Conform does: the same value for a valid form, and nothing
  // (Conform then answers) for anything else.
  const fields = (entries: [string, string][]) => new URLSearchParams(entries)
  const cases: [string, [string, string][]][] = [
    [
      'a full form',
      [
        ['fullName', ' Ada '],
        ['email', ' ada@example.org '],
        ['country', 'GB'],
        ['postcode', 'SW1A 1AA'],
        ['consentUpdates', 'on'],
        ['website', ''],
      ],
    ],
    [
      'empty optional fields',
      [
        ['fullName', 'Ada'],
        ['email', 'ada@example.org'],
        ['country', 'GB'],
        ['postcode', ''],
        ['website', ''],
      ],
    ],
    [
      'a missing name',
      [
        ['email', 'ada@example.org'],
        ['country', 'GB'],
      ],
    ],
    [
      'an empty name',
      [
        ['fullName', ''],
        ['email', 'ada@example.org'],
        ['country', 'GB'],
      ],
    ],
    [
      'a refusal of the whole object',
      [
        ['fullName', 'Ada'],
        ['email', 'ada@example.org'],
        ['country', 'XX'],
      ],
    ],
    [
      'a checkbox with another value',
      [
        ['fullName', 'Ada'],
        ['email', 'ada@example.org'],
        ['country', 'GB'],
        ['consentUpdates', 'yes'],
      ],
    ],
    [
      'a filled honeypot',
      [
        ['fullName', 'Ada'],
        ['email', 'ada@example.org'],
        ['country', 'GB'],
        ['website', 'x'],
      ],
    ],
    [
      'a name sent twice',
      [
        ['fullName', 'Ada'],
        ['fullName', 'Eve'],
        ['email', 'ada@example.org'],
        ['country', 'GB'],
      ],
    ],
    [
      'a field the schema does not have',
      [
        ['fullName', 'Ada'],
        ['email', 'ada@example.org'],
        ['country', 'GB'],
        ['partner', 'x'],
      ],
    ],
    [
      'a path-like name',
      [
        ['fullName', 'Ada'],
        ['email', 'ada@example.org'],
        ['country', 'GB'],
        ['postcode.x', '1'],
      ],
    ],
  ]

  it.each(cases)('gives Conform’s value for a valid form, and null otherwise: %s', (label, entries) => {
    const conform = parseSubmission(fields(entries), SignLikeSchema)
    const own = parseValidTextForm(fields(entries), SignLikeSchema)
    if (own !== null) {
      expect(conform.status).toBe('success')
      expect(own).toEqual(conform.status === 'success' ? conform.value : undefined)
    } else {
      // Null is always safe (Conform answers); it is given only where Conform's parse is needed.
      expect(['a name sent twice', 'a field the schema does not have', 'a path-like name'].includes(label) || conform.status === 'error').toBe(true)
    }
  })

  it('reads the plain valid forms itself, and FormData as URLSearchParams', () => {
    const entries = cases[0]![1]
    expect(parseValidTextForm(fields(entries), SignLikeSchema)).toEqual({
      fullName: 'Ada',
      email: 'ada@example.org',
      country: 'GB',
      postcode: 'SW1A 1AA',
      consentUpdates: 'on',
    })
    expect(parseValidTextForm(form(entries), SignLikeSchema)).toEqual(parseValidTextForm(fields(entries), SignLikeSchema))
    expect(parseValidTextForm(fields(cases[1]![1]), SignLikeSchema)).toEqual({ fullName: 'Ada', email: 'ada@example.org', country: 'GB' })
  })

  it('leaves to Conform a schema with a field that is not text or is preprocessed, and a file', () => {
    const Preprocessed = z.object({ note: z.preprocess((value) => (value === undefined ? 'none' : value), z.string()) })
    expect(parseValidTextForm(fields([['note', '']]), Preprocessed)).toBeNull()
    // Conform hands the preprocess the empty text and refuses what it gives on; taking empty text as
    // missing first would have accepted it ('none').
    expect(parseSubmission(fields([['note', '']]), Preprocessed).status).toBe('error')
    expect(
      parseValidTextForm(
        fields([
          ['amount', '5'],
          ['tags', 'a'],
        ]),
        AmountSchema,
      ),
    ).toBeNull()
    const withFile = form([
      ['fullName', 'Ada'],
      ['email', 'ada@example.org'],
      ['country', 'GB'],
    ])
    withFile.append('postcode', new File(['x'], 'x.txt'))
    expect(parseValidTextForm(withFile, SignLikeSchema)).toBeNull()
  })
})
