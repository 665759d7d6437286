import type { Request } from 'express';

/** The API's roles (see API.md, Conventions). */
export const ROLES = ['supervisor', 'department', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the bearer token or the session cookie by the global AuthGuard. */
export interface Principal {
  /** The api_token row; null for the admin of DUBAN_ADMIN_TOKEN and for a signed-in person. */
  tokenId: string | null;
  /** The account of a person signed in with a password (app_user); absent for a token. */
  username?: string;
  role: Role;
  /** The unit a department is bound to; null for every other role. */
  unit: string | null;
  name: string;
}

/** An Express request once the guard has authenticated it. */
export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Whether `principal` may see obligations of `unit`: a department its own unit only; supervisors
 * and auditors every unit; admin (tokens only) none.
 */
export function canSeeUnit(principal: Principal, unit: string): boolean {
  switch (principal.role) {
    case 'supervisor':
    case 'auditor':
      return true;
    case 'department':
      return principal.unit !== null && principal.unit === unit;
    case 'admin':
      return false;
  }
}
