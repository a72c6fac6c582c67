// Strings for signing in, members, invitations, sessions and the audit log (keys start with admin.), emails included. Spread into en.ts.
export const adminAccessEn = {
} as const
