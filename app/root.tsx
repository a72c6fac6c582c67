import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useMatches,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react'
import { ErrorPage } from '~/components/error-page'
import stylesheet from '~/styles.css?url'
import { DEFAULT_LOCALE, isLocale, LOCALE_NAMES, LOCALES, translatorWith, type Locale, type Messages, type Translate } from '~/utils/i18n'
import { publicMessages } from '~/utils/i18n.server'
import { secureCookies } from '~/utils/cookies.server'
import { getLocale, localeCookieHeader } from '~/utils/locale.server'
import { PAGE_SCRIPT_URLS } from '~/utils/page-scripts.server'
import { useNonce } from '~/utils/nonce'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const cookie = await localeCookieHeader(request, secureCookies())
  return data({ locale, messages: publicMessages(locale), pageScripts: PAGE_SCRIPT_URLS }, { headers: cookie ? { 'Set-Cookie': cookie } : {} })
}

function useRootLocale(): Locale {
  const data = useRouteLoaderData<typeof loader>('root')
  return data && isLocale(data.locale) ? data.locale : DEFAULT_LOCALE
}

/** The public messages' translator (the layout and error page show public messages only). */
function useRootTranslator(locale: Locale): Translate {
  const messages = (useRouteLoaderData<typeof loader>('root')?.messages ?? {}) as Messages
  return translatorWith(messages, locale)
}

/**
 * A route may say its page needs no React in the browser (`handle.hydrate`, decision 0037): it
 * works as a plain form and gets its small enhancement script (`handle.script`, a name from
 * vite-page-scripts.ts: the URL is content-hashed) instead.
 */
export type PageHandle = {
  hydrate?: boolean | ((data: unknown) => boolean)
  script?: string
  /** false: no site header, footer or language switcher (the embed, shown inside another site). */
  chrome?: boolean
}

function usePageScripts(): { hydrate: boolean; scripts: string[]; chrome: boolean } {
  const matches = useMatches()
  const urls = useRouteLoaderData<typeof loader>('root')?.pageScripts ?? {}
  let hydrate = true
  let chrome = true
  const scripts: string[] = []
  for (const match of matches) {
    const handle = match.handle as PageHandle | undefined
    if (!handle) continue
    if (handle.chrome === false) chrome = false
    const wants = typeof handle.hydrate === 'function' ? handle.hydrate(match.data) : handle.hydrate
    if (wants === false) {
      hydrate = false
      const url = handle.script ? urls[handle.script] : undefined
      if (url) scripts.push(url)
    }
  }
  return { hydrate, scripts, chrome }
}

function LanguageSwitcher({ locale }: { locale: Locale }) {
  const location = useLocation()
  const t = useRootTranslator(locale)
  return (
    <nav aria-label={t('nav.language')} className="language-switcher">
      <ul>
        {LOCALES.map((code) => {
          const params = new URLSearchParams(location.search)
          params.set('lang', code)
          return (
            <li key={code}>
              {code === locale ? (
                <span aria-current="true" lang={code}>
                  {LOCALE_NAMES[code]}
                </span>
              ) : (
                <a href={`${location.pathname}?${params}`} lang={code} hrefLang={code}>
                  {LOCALE_NAMES[code]}
                </a>
              )}
            </li>
          )
        })}
      </ul>
    </nav>
  )
}

export function Layout({ children }: { children: React.ReactNode }) {
  const locale = useRootLocale()
  const nonce = useNonce()
  const t = useRootTranslator(locale)
  const { hydrate, scripts, chrome } = usePageScripts()
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {chrome ? (
          <>
            <a className="skip-link" href="#main">
              {t('nav.skip')}
            </a>
            <header className="site-header">
              <div className="wrap header-row">
                <Link to="/" className="brand">
                  {t('site.name')}
                </Link>
                <LanguageSwitcher locale={locale} />
              </div>
            </header>
          </>
        ) : null}
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        {chrome ? (
          <footer className="site-footer">
            <div className="wrap">
              <p>
                {t('footer.about')} <Link to="/privacy">{t('footer.privacy')}</Link>
              </p>
            </div>
          </footer>
        ) : null}
        {hydrate ? (
          <>
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        ) : (
          scripts.map((src) => <script key={src} type="module" src={src} />)
        )}
      </body>
    </html>
  )
}

export default function App() {
  return <Outlet />
}

export function ErrorBoundary() {
  const error = useRouteError()
  const locale = useRootLocale()
  const t = useRootTranslator(locale)
  const notFound = isRouteErrorResponse(error) && error.status === 404
  const badRequest = isRouteErrorResponse(error) && error.status >= 400 && error.status < 500 && !notFound
  const key = badRequest ? (error.data as { error?: unknown } | null)?.error : undefined
  const title = notFound ? t('error.notFound.title') : badRequest ? t('error.badRequest.title') : t('error.generic.title')
  const body = notFound ? t('error.notFound.body') : typeof key === 'string' && key.startsWith('error.') ? t.message(key) : t('error.generic.body')
  return <ErrorPage title={title} body={body} siteName={t('site.name')} back={{ to: '/', label: t('error.home') }} />
}
