// Written by vite-page-scripts.ts: each page script's URL, by name.
declare module 'virtual:page-scripts' {
  const urls: Record<string, string>
  export default urls
}
