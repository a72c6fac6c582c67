import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'

/** The size social sites expect for a large preview (decision 0036). */
export const SHARE_CARD_WIDTH = 1200
export const SHARE_CARD_HEIGHT = 630

export interface ShareCardText {
  title: string
  /** "12,345 signatures", already translated and formatted. */
  count: string
  /** "A campaign by …", already translated. */
  byline: string
  /** The organisation's brand colour (#rrggbb) or null for the house colour. */
  colour: string | null
}

/** Cards waiting for the drawing thread beyond the one it is drawing; more are refused at once. */
export const MAX_WAITING_CARDS = 4
/** A drawing that takes longer than this is abandoned (the thread is stopped and started anew). */
const DRAW_TIMEOUT_MS = 20_000

/** The drawing thread is busy: the card cannot be drawn now (the caller serves an old one or asks to retry). */
export class ShareCardBusyError extends Error {
  constructor() {
    super('The share-card drawing queue is full.')
    this.name = 'ShareCardBusyError'
  }
}

// Laying out a card (satori) and rasterising it (resvg) take a few hundred milliseconds of CPU:
// on the event loop that is a stall every request would wait behind. They run on one worker
// thread instead, one card at a time. Its code is given as text (the server bundle has no file
// of its own to point a Worker at); the libraries and fonts are found from here and handed over
// as absolute paths.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { readFileSync } = require('node:fs')
const satori = require(workerData.satori)
const { Resvg } = require(workerData.resvg)
const fonts = workerData.fonts.map((font) => ({ name: font.name, weight: font.weight, style: font.style, data: readFileSync(font.path) }))
parentPort.on('message', async ({ tree, width, height }) => {
  try {
    const svg = await (satori.default ?? satori)(tree, { width, height, fonts })
    const png = new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: false } }).render().asPng()
    parentPort.postMessage({ png })
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) })
  }
})
`

function workerData() {
  const require = createRequire(import.meta.url)
  // DejaVu Sans (covers Latin and Cyrillic) from the installed package: never fetched.
  const fontDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf')
  return {
    satori: require.resolve('satori'),
    resvg: require.resolve('@resvg/resvg-js'),
    fonts: [
      { name: 'DejaVu Sans', path: path.join(fontDir, 'DejaVuSans.ttf'), weight: 400, style: 'normal' },
      { name: 'DejaVu Sans', path: path.join(fontDir, 'DejaVuSans-Bold.ttf'), weight: 700, style: 'normal' },
    ],
  }
}

interface Job {
  tree: Node
  resolve: (png: Buffer) => void
  reject: (error: Error) => void
}

const state: { worker: Worker | null; current: Job | null; timer: NodeJS.Timeout | null; waiting: Job[] } = {
  worker: null,
  current: null,
  timer: null,
  waiting: [],
}

function startWorker(): Worker {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: workerData() })
  // An idle drawing thread never keeps the process alive.
  worker.unref()
  worker.on('message', (message: { png?: Uint8Array; error?: string }) => {
    if (message.png) finish(null, Buffer.from(message.png))
    else finish(new Error(`share card not drawn: ${message.error ?? 'unknown error'}`))
  })
  worker.on('error', (error) => {
    state.worker = null
    finish(error)
  })
  worker.on('exit', () => {
    if (state.worker === worker) state.worker = null
    if (state.current) finish(new Error('the share-card thread stopped'))
  })
  return worker
}

function finish(error: Error | null, png?: Buffer) {
  const job = state.current
  state.current = null
  if (state.timer) clearTimeout(state.timer)
  state.timer = null
  if (job) {
    if (error) job.reject(error)
    else job.resolve(png!)
  }
  next()
}

function next() {
  if (state.current) return
  const job = state.waiting.shift()
  if (!job) return
  state.current = job
  state.worker ??= startWorker()
  state.timer = setTimeout(() => {
    const worker = state.worker
    state.worker = null
    finish(new Error('share card took too long to draw'))
    void worker?.terminate()
  }, DRAW_TIMEOUT_MS)
  state.timer.unref()
  state.worker.postMessage({ tree: job.tree, width: SHARE_CARD_WIDTH, height: SHARE_CARD_HEIGHT })
}

/** Draws on the drawing thread, after the cards already waiting; refused when too many wait. */
function drawOffThread(tree: Node): Promise<Buffer> {
  if (state.waiting.length >= MAX_WAITING_CARDS) return Promise.reject(new ShareCardBusyError())
  return new Promise<Buffer>((resolve, reject) => {
    state.waiting.push({ tree, resolve, reject })
    next()
  })
}

/** Long titles are cut at a word boundary so they fit in three lines. */
function fitTitle(title: string, max = 110): string {
  if (title.length <= max) return title
  const cut = title.slice(0, max)
  const space = cut.lastIndexOf(' ')
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}

type Node = {
  type: string
  props: { style?: Record<string, unknown>; children?: unknown }
}
const el = (type: string, style: Record<string, unknown>, children?: unknown): Node => ({ type, props: { style, children } })

/** A 1200×630 PNG with the campaign's title, count and organisation, drawn off the event loop. */
export async function drawShareCard(text: ShareCardText): Promise<Buffer> {
  const background = text.colour && /^#[0-9a-f]{6}$/i.test(text.colour) ? text.colour : '#1f4e79'
  const tree = el(
    'div',
    {
      width: SHARE_CARD_WIDTH,
      height: SHARE_CARD_HEIGHT,
      display: 'flex',
      backgroundColor: background,
      color: '#ffffff',
      fontFamily: 'DejaVu Sans',
    },
    // Explicit margins rather than padding: the box below is exactly the drawable area.
    el(
      'div',
      {
        display: 'flex',
        flexDirection: 'column',
        position: 'absolute',
        left: 72,
        top: 56,
        width: SHARE_CARD_WIDTH - 144,
        height: SHARE_CARD_HEIGHT - 112,
      },
      [
        el('div', { display: 'flex', fontSize: 32, opacity: 0.9, flexShrink: 0 }, text.byline),
        el(
          'div',
          {
            display: 'flex',
            flexGrow: 1,
            alignItems: 'center',
            fontSize: text.title.length > 60 ? 52 : 64,
            fontWeight: 700,
            lineHeight: 1.15,
          },
          fitTitle(text.title),
        ),
        el(
          'div',
          {
            display: 'flex',
            flexShrink: 0,
            alignItems: 'center',
            justifyContent: 'space-between',
          },
          [
            el(
              'div',
              {
                fontSize: 48,
                fontWeight: 700,
                backgroundColor: '#ffffff',
                color: background,
                padding: '12px 28px',
                borderRadius: 12,
              },
              text.count,
            ),
            el('div', { fontSize: 30, opacity: 0.8 }, 'Chorus'),
          ],
        ),
      ],
    ),
  )
  return drawOffThread(tree)
}
