import type { ReactNode } from 'react'

/** A column heading: its text, or the text with how the column reads. */
export type DataColumn = ReactNode | { label: ReactNode; numeric?: boolean; hiddenLabel?: boolean }

function isColumnSpec(column: DataColumn): column is { label: ReactNode; numeric?: boolean; hiddenLabel?: boolean } {
  return typeof column === 'object' && column !== null && 'label' in column
}

type Props = {
  /** The column headings, each a `th scope="col"`; `numeric` aligns a count, `hiddenLabel` keeps the name for screen readers only. */
  columns: readonly DataColumn[]
  /** The rows (`<tr>` elements); a row's first cell may be a `th scope="row"`. */
  children: ReactNode
  caption?: ReactNode
  captionId?: string
  /** The caption is read by screen readers but not shown (a visible heading already says it). */
  captionHidden?: boolean
  /** Names the table by another element (a heading) when it has no caption. */
  labelledBy?: string
  /** Classes beside `data` (`stack-on-phone`, a page's own). */
  className?: string
  /**
   * Wide tables scroll sideways inside a region the keyboard can reach, named by a heading's id
   * (or the caption's when this is `true`); `className` adds to `table-scroll`.
   */
  scroll?: true | { labelledBy?: string; className?: string }
}

/** The workspace's table of rows: one markup for every list (decision 0048). */
export function DataTable({ columns, children, caption, captionId, captionHidden, labelledBy, className, scroll }: Props) {
  const table = (
    <table className={className ? `data ${className}` : 'data'} aria-labelledby={labelledBy}>
      {caption ? (
        <caption id={captionId} className={captionHidden ? 'visually-hidden' : undefined}>
          {caption}
        </caption>
      ) : null}
      <thead>
        <tr>
          {columns.map((column, i) =>
            isColumnSpec(column) ? (
              <th key={i} scope="col" className={column.numeric ? 'num' : undefined}>
                {column.hiddenLabel ? <span className="visually-hidden">{column.label}</span> : column.label}
              </th>
            ) : (
              <th key={i} scope="col">
                {column}
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  )
  if (!scroll) return table
  const region = scroll === true ? {} : scroll
  return (
    <div
      className={region.className ? `table-scroll ${region.className}` : 'table-scroll'}
      role="region"
      aria-labelledby={region.labelledBy ?? captionId ?? labelledBy}
      tabIndex={0}
    >
      {table}
    </div>
  )
}
