import urls from 'virtual:page-scripts'

/** The page scripts' URLs by name (content-hashed in a build; see vite-page-scripts.ts). */
export const PAGE_SCRIPT_URLS: Readonly<Record<string, string>> = urls
