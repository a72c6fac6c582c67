import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { sql } from 'kysely'
import PDFDocument from 'pdfkit'
import { formatCode, namedRowChunks, scopeOf, type DeliveryPack } from '~/models/delivery-pack.server'
import { countryName } from '~/utils/countries.server'
import { getDb, type Executor } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { formatDate, formatNumber, type Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'

// The printable pack (decision 0013). DejaVu Sans covers Latin and Cyrillic; pdfkit embeds the
// subset of glyphs used. The PDF is streamed: rows are read a chunk at a time and the writer waits
// whenever the reader falls behind.

let fontDir: string | null = null

/**
 * The folder of the DejaVu TrueType files, found from this module in development and from the
 * built server alike (both resolve packages from the project's node_modules).
 */
export function dejavuFontDir(): string {
  if (fontDir) return fontDir
  const candidates: string[] = []
  try {
    const require = createRequire(import.meta.url)
    candidates.push(path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf'))
  } catch {
    // Not resolvable from here (an unusual bundle layout): fall back to the working directory.
  }
  candidates.push(path.resolve(process.cwd(), 'node_modules/dejavu-fonts-ttf/ttf'))
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'DejaVuSans.ttf')))
  if (!found) throw new Error(`DejaVu fonts not found (looked in ${candidates.join(', ')})`)
  fontDir = found
  return found
}

export interface PackCampaignContent {
  slug: string
  title: string
  demand: string
  target_name: string
  target_role: string
}

/** The campaign's texts in the pack's language (its translation where complete, else the base texts). */
export async function getPackCampaignContent(campaignId: string, locale: Locale, executor: Executor = getDb()): Promise<PackCampaignContent> {
  return await executor
    .selectFrom('campaigns as c')
    .leftJoin('campaign_translations as t', (join) =>
      join.onRef('t.campaign_id', '=', 'c.id').on('t.locale', '=', locale).on('t.title', '<>', '').on('t.demand', '<>', '').on('t.target_name', '<>', ''),
    )
    .select([
      'c.slug',
      sql<string>`coalesce(t.title, c.title)`.as('title'),
      sql<string>`coalesce(t.demand, c.demand)`.as('demand'),
      sql<string>`coalesce(t.target_name, c.target_name)`.as('target_name'),
      sql<string>`case when t.locale is null then c.target_role else t.target_role end`.as('target_role'),
    ])
    .where('c.id', '=', campaignId)
    .executeTakeFirstOrThrow()
}

export function verifyUrl(code: string): string {
  return `${getEnv().APP_URL}/verify?code=${formatCode(code)}`
}

export function packFileName(pack: DeliveryPack, slug: string, extension: 'pdf' | 'csv'): string {
  const day = pack.cutOff.toISOString().slice(0, 10)
  return `${slug}-delivery-${day}-${pack.id}.${extension}`.replace(/[^A-Za-z0-9._-]/g, '-')
}

/** Writes the pack's PDF into a stream; the caller gets the stream at once and reads it as it is made. */
export function packPdfStream(pack: DeliveryPack, content: PackCampaignContent, executor: Executor = getDb()): ReadableStream<Uint8Array> {
  const dir = dejavuFontDir()
  const locale = pack.locale
  const t = makeTranslator(locale)
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    bufferPages: false,
    info: { Title: content.title, Subject: t('delivery.pdf.subject'), Creator: 'Chorus' },
    lang: locale,
  })
  doc.registerFont('body', path.join(dir, 'DejaVuSans.ttf'))
  doc.registerFont('bold', path.join(dir, 'DejaVuSans-Bold.ttf'))
  const out = new PassThrough()
  doc.pipe(out)

  const waitForReader = async () => {
    if (!out.writableNeedDrain) return
    await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done)
        out.off('close', done)
        resolve()
      }
      out.on('drain', done)
      out.on('close', done)
    })
  }

  // Every page carries the code and its number, so a page separated from the rest still says where it belongs.
  let pageNumber = 0
  const footer = () => {
    pageNumber += 1
    const { x, y } = doc
    const bottom = doc.page.margins.bottom
    doc.page.margins.bottom = 0 // writing below the margin would otherwise start a new page
    doc
      .font('body')
      .fontSize(8)
      .fillColor('#555555')
      .text(t('delivery.pdf.footer', { code: formatCode(pack.verificationCode), page: pageNumber }), 56, doc.page.height - 36, {
        width: doc.page.width - 112,
        align: 'center',
        lineBreak: false,
      })
      .fillColor('black')
      .fontSize(10)
    doc.page.margins.bottom = bottom
    doc.x = x
    doc.y = y
  }
  footer()
  doc.on('pageAdded', footer)

  const write = async () => {
    const heading = (text: string, size = 13) => doc.moveDown(0.8).font('bold').fontSize(size).text(text).moveDown(0.3).font('body').fontSize(11)
    doc.font('bold').fontSize(20).text(content.title)
    doc.moveDown(0.5).font('body').fontSize(11)
    const target = content.target_role ? `${content.target_name}, ${content.target_role}` : content.target_name
    doc.text(t('delivery.pdf.addressedTo', { target }))
    heading(t('delivery.pdf.demand'))
    doc.text(content.demand)
    heading(t('delivery.pdf.summary'))
    doc.text(t('delivery.pdf.total', { count: pack.confirmedTotal }))
    doc.text(t('delivery.pdf.asOf', { date: formatDate(locale, pack.cutOff, 'long'), iso: pack.cutOff.toISOString() }))
    heading(t('delivery.pdf.byCountry'))
    const collator = new Intl.Collator(locale)
    const countries = Object.entries(pack.countryCounts)
      .map(([code, count]) => ({ name: countryName(code, locale), count }))
      .sort((a, b) => b.count - a.count || collator.compare(a.name, b.name))
    if (countries.length === 0) doc.text(t('delivery.pdf.noSignatures'))
    for (const c of countries) doc.text(`${c.name}: ${formatNumber(locale, c.count)}`)
    heading(t('delivery.pdf.verification'))
    doc.font('bold').text(formatCode(pack.verificationCode)).font('body')
    const url = verifyUrl(pack.verificationCode)
    doc.text(t('delivery.pdf.verifyAt'))
    doc.fillColor('#1a4f8b').text(url, { link: url, underline: true }).fillColor('black')

    doc.addPage()
    doc
      .font('bold')
      .fontSize(14)
      .text(t('delivery.pdf.namedHeading', { count: pack.namedCount }))
    doc.moveDown(0.3).font('body').fontSize(9).text(t('delivery.pdf.namedIntro')).moveDown(0.5).fontSize(10)
    const names = new Map<string, string>()
    const nameOf = (code: string) => {
      let name = names.get(code)
      if (!name) names.set(code, (name = countryName(code, locale)))
      return name
    }
    for await (const rows of namedRowChunks(scopeOf(pack), executor)) {
      if (out.destroyed) return
      for (const row of rows) doc.text(`${row.full_name} — ${nameOf(row.country)}`)
      await waitForReader()
    }
    const unnamed = pack.confirmedTotal - pack.namedCount
    doc
      .moveDown(0.8)
      .font('bold')
      .fontSize(11)
      .text(t('delivery.pdf.unnamed', { count: unnamed }))
    doc.end()
  }
  write().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))))
  return Readable.toWeb(out) as unknown as ReadableStream<Uint8Array>
}
