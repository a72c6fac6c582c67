export const emailsEn = {} as const
