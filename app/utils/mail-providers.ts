// The one list of large public mail providers (decision 0030). Many real signers share these
// domains, so the per-domain hourly rule never applies to them; an organisation's own domain
// or an unknown small one is what a single-domain flood comes from.
export const LARGE_MAIL_PROVIDERS: ReadonlySet<string> = new Set([
  // Google
  'gmail.com',
  'googlemail.com',
  // Microsoft
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'hotmail.fr',
  'hotmail.de',
  'hotmail.it',
  'hotmail.es',
  'live.com',
  'live.co.uk',
  'live.fr',
  'live.de',
  'msn.com',
  'outlook.de',
  'outlook.fr',
  // Yahoo and AOL
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'yahoo.de',
  'yahoo.es',
  'yahoo.it',
  'ymail.com',
  'rocketmail.com',
  'aol.com',
  'aim.com',
  // Apple
  'icloud.com',
  'me.com',
  'mac.com',
  // Proton
  'proton.me',
  'protonmail.com',
  'protonmail.ch',
  'pm.me',
  // Yandex
  'yandex.ru',
  'yandex.com',
  'ya.ru',
  'yandex.by',
  'yandex.kz',
  'yandex.ua',
  // Mail.ru group
  'mail.ru',
  'bk.ru',
  'inbox.ru',
  'list.ru',
  'internet.ru',
  // Rambler
  'rambler.ru',
  // GMX and WEB.DE (United Internet), T-Online, Orange, Free, Libero, Seznam, Zoho, Fastmail, Tutanota
  'gmx.de',
  'gmx.net',
  'gmx.com',
  'gmx.at',
  'gmx.ch',
  'web.de',
  't-online.de',
  'orange.fr',
  'wanadoo.fr',
  'free.fr',
  'laposte.net',
  'libero.it',
  'seznam.cz',
  'zoho.com',
  'fastmail.com',
  'tutanota.com',
  'tuta.io',
  'mail.com',
  'qq.com',
  '163.com',
  'naver.com',
  'ukr.net',
  'btinternet.com',
  'sky.com',
  'comcast.net',
])

/** The lower-case domain of an address ('' when it has none). */
export function emailDomainOf(email: string): string {
  const at = email.lastIndexOf('@')
  return at < 0
    ? ''
    : email
        .slice(at + 1)
        .trim()
        .toLowerCase()
}

export function isLargeMailProvider(domain: string): boolean {
  return LARGE_MAIL_PROVIDERS.has(domain.toLowerCase())
}
