import { ROLE_NAMES, type RoleName } from '#db/types'

// Who may do what in an organisation (decision 0006). A leaf module: models, guards and
// components all read it, and it reads nothing of theirs.

export const ROLES = ROLE_NAMES
export type Role = RoleName

export const PERMISSIONS = {
  'campaigns.view': ['owner', 'campaigner', 'viewer'],
  'campaigns.edit': ['owner', 'campaigner'],
  'supporters.view': ['owner', 'campaigner'],
  // Answering a supporter's request to export or erase everything held for their address (decision 0045).
  'supporters.erase': ['owner'],
  'members.manage': ['owner'],
  'audit.view': ['owner'],
  // API keys reach every campaign's signers, so only owners make them.
  'api_keys.manage': ['owner'],
  // The organisation's name, logo, colours and the address its emails come from.
  'organisation.manage': ['owner'],
  // Everyone reviews a campaign's integrity; owners and campaigners act on it.
  'integrity.view': ['owner', 'campaigner', 'viewer'],
  'integrity.act': ['owner', 'campaigner'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof PERMISSIONS

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role)
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

export interface AdminContext {
  user: { id: string; email: string; name: string | null }
  organisation: { id: string; slug: string; name: string }
  role: Role
  sessionId: string
  csrfToken: string
}
