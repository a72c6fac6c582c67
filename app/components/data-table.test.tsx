import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { DataTable } from '~/components/data-table'
import { DoneMessage } from '~/components/done-message'

const row = (
  <tr>
    <td>Ada</td>
    <td className="num">3</td>
  </tr>
)

describe('DataTable', () => {
  it('heads every column with scope="col", marks numeric ones and hides a label only visually', () => {
    const html = renderToStaticMarkup(
      <DataTable columns={['Name', { label: 'Count', numeric: true }, { label: 'Actions', hiddenLabel: true }]}>{row}</DataTable>,
    )
    expect(html).toBe(
      '<table class="data"><thead><tr><th scope="col">Name</th><th scope="col" class="num">Count</th>' +
        '<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>' +
        '<tbody><tr><td>Ada</td><td class="num">3</td></tr></tbody></table>',
    )
  })

  it('gives the table a caption, hidden when a heading already shows it, and extra classes', () => {
    const html = renderToStaticMarkup(
      <DataTable caption="Campaigns" captionId="c" captionHidden className="stack-on-phone" columns={['Name']}>
        {row}
      </DataTable>,
    )
    expect(html).toContain('<table class="data stack-on-phone"><caption id="c" class="visually-hidden">Campaigns</caption>')
  })

  it('names the table by a heading when it has no caption', () => {
    expect(
      renderToStaticMarkup(
        <DataTable labelledBy="h" columns={['Name']}>
          {row}
        </DataTable>,
      ),
    ).toContain('<table class="data" aria-labelledby="h">')
  })

  it('scrolls inside a region the keyboard reaches, named by its heading or else by its caption', () => {
    const byHeading = renderToStaticMarkup(
      <DataTable scroll={{ labelledBy: 'members-heading', className: 'packs-table' }} columns={['Name']}>
        {row}
      </DataTable>,
    )
    expect(byHeading).toMatch(/^<div class="table-scroll packs-table" role="region" aria-labelledby="members-heading" tabindex="0"><table class="data">/)
    const byCaption = renderToStaticMarkup(
      <DataTable scroll caption="Held" captionId="held-caption" columns={['Name']}>
        {row}
      </DataTable>,
    )
    expect(byCaption).toMatch(/^<div class="table-scroll" role="region" aria-labelledby="held-caption" tabindex="0">/)
  })
})

describe('DoneMessage', () => {
  it('keeps an empty live region on the page until there is something to say', () => {
    expect(renderToStaticMarkup(<DoneMessage>{null}</DoneMessage>)).toBe('<div role="status" aria-live="polite"></div>')
  })

  it('says what was done in the tone asked for', () => {
    expect(renderToStaticMarkup(<DoneMessage>Saved.</DoneMessage>)).toBe('<div role="status" aria-live="polite"><p class="success">Saved.</p></div>')
    expect(renderToStaticMarkup(<DoneMessage tone="notice">Built.</DoneMessage>)).toContain('<p class="notice">Built.</p>')
  })
})
