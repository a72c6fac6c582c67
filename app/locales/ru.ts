import type { MessageKey } from './en'
import { emailsRu } from './emails-ru'

export const ru: Record<MessageKey, string> & Record<string, string> = {
  ...emailsRu,
  'site.name': 'Chorus',
}
