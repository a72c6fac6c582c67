// Signatures per day as a server-rendered SVG bar chart. No inline styles (CSP style-src 'self'):
// colours and sizes come from classes in styles.css and SVG attributes. Labels arrive formatted
// by the server, so the browser renders exactly what the server did.

export interface ChartDay {
  day: string
  count: number
  /** Short label for the axis, e.g. "25 Nov". */
  label: string
  /** The count as the reader writes numbers. */
  countText: string
}

const WIDTH = 720
const HEIGHT = 240
const MARGIN = { top: 12, right: 12, bottom: 30, left: 56 }

/** A round ceiling for the y axis (1, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ), so gridlines fall on numbers people read easily. */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1
  const magnitude = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    const candidate = step * magnitude
    if (max <= candidate && Number.isInteger(candidate)) return candidate
  }
  return 10 * magnitude
}

export function SignatureChart({
  id,
  days,
  title,
  description,
  formatTick,
}: {
  id: string
  days: ChartDay[]
  title: string
  description: string
  /** Formats a gridline's value (already computed on the server side of the render). */
  formatTick: (value: number) => string
}) {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const max = niceCeiling(Math.max(0, ...days.map((d) => d.count)))
  const slot = plotWidth / Math.max(1, days.length)
  const barWidth = Math.max(1, slot * 0.72)
  const y = (value: number) => MARGIN.top + plotHeight - (value / max) * plotHeight
  const ticks = [0, max / 2, max].filter((v) => Number.isInteger(v))
  // A label every week, counted back from the last day, so the newest day is always labelled.
  const labelled = (index: number) => (days.length - 1 - index) % 7 === 0
  return (
    <svg className="signature-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} focusable="false">
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      <g className="chart-grid">
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} />
            <text x={MARGIN.left - 8} y={y(tick)} dy="0.32em" textAnchor="end" className="chart-label">
              {formatTick(tick)}
            </text>
          </g>
        ))}
      </g>
      <g className="chart-bars">
        {days.map((d, i) => {
          const top = y(d.count)
          return (
            <rect
              key={d.day}
              className="chart-bar"
              x={MARGIN.left + i * slot + (slot - barWidth) / 2}
              y={top}
              width={barWidth}
              height={Math.max(0, MARGIN.top + plotHeight - top)}
            >
              <title>{`${d.label}: ${d.countText}`}</title>
            </rect>
          )
        })}
      </g>
      <g className="chart-axis">
        <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={MARGIN.top + plotHeight} y2={MARGIN.top + plotHeight} />
        {days.map((d, i) =>
          labelled(i) ? (
            <text
              key={d.day}
              // The newest day's label ends at its bar, so it never runs off the right edge.
              x={i === days.length - 1 ? MARGIN.left + (i + 1) * slot : MARGIN.left + i * slot + slot / 2}
              y={HEIGHT - 8}
              textAnchor={i === days.length - 1 ? 'end' : 'middle'}
              className="chart-label"
            >
              {d.label}
            </text>
          ) : null,
        )}
      </g>
    </svg>
  )
}
