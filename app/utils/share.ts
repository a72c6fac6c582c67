import type { Translate } from '~/utils/i18n'

export interface ShareLink {
  network: string
  label: string
  href: string
}

/** Plain share links: no third-party scripts, nothing loads until the reader clicks. */
export function shareLinks(url: string, title: string, t: Translate): ShareLink[] {
  const u = encodeURIComponent(url)
  const text = encodeURIComponent(title)
  return [
    { network: 'email', label: t('share.email'), href: `mailto:?subject=${text}&body=${text}%0A%0A${u}` },
    { network: 'whatsapp', label: t('share.whatsapp'), href: `https://wa.me/?text=${text}%20${u}` },
    { network: 'telegram', label: t('share.telegram'), href: `https://t.me/share/url?url=${u}&text=${text}` },
    { network: 'x', label: t('share.x'), href: `https://x.com/intent/post?url=${u}&text=${text}` },
    { network: 'facebook', label: t('share.facebook'), href: `https://www.facebook.com/sharer/sharer.php?u=${u}` },
    { network: 'vk', label: t('share.vk'), href: `https://vk.com/share.php?url=${u}&title=${text}` },
  ]
}
