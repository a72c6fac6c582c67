import fs from 'node:fs'
import path from 'node:path'

// CPU time, which a busy machine does not inflate as it does wall time (Linux /proc).

const TICKS_PER_SECOND = 100
/** A process's CPU time; with `reaped`, its ended children's too (PostgreSQL's ended backends). */
export function processCpuMs(pid: number, { reaped = false } = {}): number {
  try {
    // Fields after the command (which is in parentheses and may hold spaces): utime, stime,
    // cutime and cstime are the 12th to the 15th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0)
    return (ticks * 1000) / TICKS_PER_SECOND
  } catch {
    return 0
  }
}
export function childrenOf(pid: number): number[] {
  const children: number[] = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry))
    } catch {
      // gone
    }
  }
  return children
}
/** CPU milliseconds used so far by a PostgreSQL server started from `dataDir`: its postmaster, its backends, and the backends that ended. */
export function postgresCpuMs(dataDir: string): number {
  const postmaster = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  return childrenOf(postmaster).reduce((sum, pid) => sum + processCpuMs(pid), processCpuMs(postmaster, { reaped: true }))
}
