import type { donationsEn } from './donations-en'

export const donationsRu: Record<keyof typeof donationsEn, string> & Record<string, string> = {
}
