import type { emailsEn } from './emails-en'
export const emailsRu: Record<keyof typeof emailsEn, string> = {}
