import type { adminAccessEn } from './admin-access-en'

export const adminAccessRu: Record<keyof typeof adminAccessEn, string> & Record<string, string> = {
}
