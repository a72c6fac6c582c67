import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Resvg } from '@resvg/resvg-js'
import satori from 'satori'

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

type Font = { name: string; data: Buffer; weight: 400 | 700; style: 'normal' }
let fonts: Font[] | null = null

/** DejaVu Sans (covers Latin and Cyrillic) from the installed package: read once, never fetched. */
function loadFonts(): Font[] {
  if (!fonts) {
    const require = createRequire(import.meta.url)
    const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf')
    fonts = [
      {
        name: 'DejaVu Sans',
        data: readFileSync(path.join(dir, 'DejaVuSans.ttf')),
        weight: 400,
        style: 'normal',
      },
      {
        name: 'DejaVu Sans',
        data: readFileSync(path.join(dir, 'DejaVuSans-Bold.ttf')),
        weight: 700,
        style: 'normal',
      },
    ]
  }
  return fonts
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

/** A 1200×630 PNG with the campaign's title, count and organisation. */
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
  const svg = await satori(tree as never, {
    width: SHARE_CARD_WIDTH,
    height: SHARE_CARD_HEIGHT,
    fonts: loadFonts(),
  })
  return new Resvg(svg, {
    fitTo: { mode: 'original' },
    font: { loadSystemFonts: false },
  })
    .render()
    .asPng()
}
