import type { ReactNode } from 'react'

/**
 * The live region that says what the last post did (a loader reads `?done=` with readDone). It is
 * always rendered, so screen readers announce the message when it arrives (decision 0048).
 */
export function DoneMessage({ children, tone = 'success' }: { children?: ReactNode; tone?: 'success' | 'notice' }) {
  return (
    <div role="status" aria-live="polite">
      {children ? <p className={tone}>{children}</p> : null}
    </div>
  )
}
