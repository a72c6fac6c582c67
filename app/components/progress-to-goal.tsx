import { useT } from '~/utils/use-t'

/** Confirmed count and a native progress bar toward the goal (no inline styles: the CSP forbids them). */
export function ProgressToGoal({ count, goal, id }: { count: number; goal: number; id: string }) {
  const t = useT()
  const labelId = `${id}-label`
  return (
    <div className="progress">
      <p className="count" id={labelId}>
        {t('campaign.count', { count })} <span className="hint">{t('campaign.goal', { goal })}</span>
      </p>
      <progress max={goal} value={Math.min(count, goal)} aria-labelledby={labelId}>
        {Math.round((Math.min(count, goal) / goal) * 100)}%
      </progress>
    </div>
  )
}
