import { useBlocker } from '@remix-run/react'
import { useEffect, useState } from 'react'

/**
 * Whether a long form has changes not yet saved, with a warning before they are lost: the
 * browser's own prompt when the tab closes or reloads, and a confirmation before a link inside
 * the app leaves the page. Sending the form clears it.
 */
export function useUnsavedChanges(formId: string, confirmMessage: string): boolean {
  const [dirty, setDirty] = useState(false)
  useEffect(() => {
    const form = document.getElementById(formId)
    if (!(form instanceof HTMLFormElement)) return
    const markDirty = () => setDirty(true)
    const clear = () => setDirty(false)
    form.addEventListener('input', markDirty)
    form.addEventListener('change', markDirty)
    form.addEventListener('submit', clear)
    return () => {
      form.removeEventListener('input', markDirty)
      form.removeEventListener('change', markDirty)
      form.removeEventListener('submit', clear)
    }
  }, [formId])

  useEffect(() => {
    if (!dirty) return
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault()
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = ''
    }
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [dirty])

  // Only leaving the page: sending the form (to this same path) is never held back.
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname)
  useEffect(() => {
    if (blocker.state !== 'blocked') return
    if (window.confirm(confirmMessage)) blocker.proceed()
    else blocker.reset()
  }, [blocker, confirmMessage])
  return dirty
}
