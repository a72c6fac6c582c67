import { describe, expect, it } from 'vitest'
import { drawShareCard, MAX_WAITING_CARDS, ShareCardBusyError } from './share-card-image.server'

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

describe('drawShareCard', () => {
  it('draws on its own thread, one card at a time, and refuses more than the queue holds', async () => {
    let ticks = 0
    const ticker = setInterval(() => ticks++, 5)
    const text = (n: number) => ({ title: `Campaign ${n}`, count: `${n} signatures`, byline: 'A campaign by Test', colour: null })
    const draws = Array.from({ length: MAX_WAITING_CARDS + 3 }, (_, n) =>
      drawShareCard(text(n)).then(
        (png) => png,
        (error: unknown) => error,
      ),
    )
    const results = await Promise.all(draws)
    clearInterval(ticker)
    // One drawing and MAX_WAITING_CARDS waiting are taken; the rest are refused at once.
    const drawn = results.filter((result): result is Buffer => Buffer.isBuffer(result))
    expect(drawn).toHaveLength(MAX_WAITING_CARDS + 1)
    for (const png of drawn) expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE)
    expect(results.filter((result) => result instanceof ShareCardBusyError)).toHaveLength(2)
    // The loop kept turning while five cards were drawn (on the loop it would not tick at all
    // during each drawing); then the queue is free again.
    expect(ticks).toBeGreaterThan(drawn.length)
    expect((await drawShareCard(text(99))).subarray(0, 8)).toEqual(PNG_SIGNATURE)
  })
})
