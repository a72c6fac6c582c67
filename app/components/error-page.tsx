import { Link } from '@remix-run/react'

type Props = {
  title: string
  body: string
  /** The site's name, after the title in the browser's tab. */
  siteName: string
  /** Where the reader goes from here: the home page, the workspace. */
  back: { to: string; label: string }
}

/** The page an error boundary shows: the public one (root.tsx) and the workspace's (AdminErrorBoundary). */
export function ErrorPage({ title, body, siteName, back }: Props) {
  return (
    <div className="wrap narrow">
      <title>{`${title} · ${siteName}`}</title>
      <h1>{title}</h1>
      <p>{body}</p>
      <p>
        <Link to={back.to}>{back.label}</Link>
      </p>
    </div>
  )
}
