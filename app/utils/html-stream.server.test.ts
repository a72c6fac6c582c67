import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { createElement } from 'react'
import { renderToPipeableStream, renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { withoutNulBytes } from './html-stream.server'

async function collect(source: Readable | ((sink: Writable) => void)): Promise<Buffer> {
  const chunks: Buffer[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk)
      callback()
    },
  })
  if (source instanceof Readable) await pipeline(source, withoutNulBytes(), sink)
  else {
    const transform = withoutNulBytes()
    const done = new Promise<void>((resolve, reject) => sink.on('finish', resolve).on('error', reject))
    transform.pipe(sink)
    source(transform)
    await done
  }
  return Buffer.concat(chunks)
}

describe('withoutNulBytes', () => {
  it('drops NUL bytes wherever they fall and keeps every other byte', async () => {
    const text = Buffer.from('Подпишите петицию', 'utf8')
    const withNuls = [Buffer.concat([text.subarray(0, 8), Buffer.from([0, 0])]), Buffer.from([0]), text.subarray(8), Buffer.from('ok')]
    const out = await collect(Readable.from(withNuls))
    expect(out.includes(0)).toBe(false)
    expect(out.toString('utf8')).toBe('Подпишите петициюok')
  })

  it('leaves a React page with long Russian text exactly as renderToString writes it', async () => {
    const paragraphs = Array.from({ length: 120 }, (_, i) =>
      createElement('p', { key: i }, `Пожалуйста, расскажите о петиции ещё одному человеку сегодня — №${i}.`),
    )
    const page = createElement('main', null, paragraphs)
    const streamed = await collect((sink) => {
      const { pipe } = renderToPipeableStream(page, { onAllReady: () => pipe(sink) })
    })
    expect(streamed.includes(0)).toBe(false)
    expect(streamed.toString('utf8')).toBe(renderToString(page))
  })
})
