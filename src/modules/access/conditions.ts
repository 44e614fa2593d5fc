// Conditional grants: which permissions accept conditions, on which fields of their resource,
// and the small condition language the API accepts and stores (role_permissions.conditions).
// A permission is listed here only when every use-case behind it calls `can(principal, p,
// resource)` with the resource: a condition on any other permission would never be checked,
// so it is refused rather than silently widened to "all resources".
import { PERMISSIONS } from './permissions.ts';
import type { Permission } from './permissions.ts';

/** Stands for the caller's user id in a condition ("only their own"), resolved per principal. */
export const SELF = '$' + '{user.id}';

export type ConditionField =
  | { kind: 'user'; description: string }
  | { kind: 'enum'; description: string; values: readonly string[] }
  | { kind: 'tags'; description: string };

/** Per permission: the resource fields a condition may test. */
export const CONDITIONAL_PERMISSIONS: Partial<Record<Permission, Readonly<Record<string, ConditionField>>>> = {
  'api_key.revoke': {
    createdBy: { kind: 'user', description: 'Who created the key (the caller: only the keys they created)' },
    role: { kind: 'enum', description: 'The key\'s role', values: ['admin', 'member', 'viewer'] },
  },
};

/**
 * A condition: every field must match (AND). A value is a string (equality; for a `tags` field,
 * "has this tag"), or `{ $in: [...] }` (one of). A `user` field takes a user id or SELF.
 */
export type ConditionValue = string | { $in: string[] };
export type Conditions = Record<string, ConditionValue>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TAG = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

function checkScalar(field: ConditionField, value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (field.kind === 'user' && value !== SELF && !UUID.test(value)) return `must be a user id or ${SELF}`;
  if (field.kind === 'enum' && !field.values.includes(value)) return `must be one of ${field.values.join(', ')}`;
  if (field.kind === 'tags' && !TAG.test(value)) return 'must be a tag';
  return null;
}

/** Why these conditions are not acceptable for this permission, or null when they are. */
export function conditionsProblem(permission: string, conditions: unknown): string | null {
  if (!isPermission(permission)) return `Unknown permission ${permission}`;
  const fields = CONDITIONAL_PERMISSIONS[permission];
  if (!fields) return `${permission} does not accept conditions`;
  if (typeof conditions !== 'object' || conditions === null || Array.isArray(conditions)) return 'Conditions must be an object';
  const entries = Object.entries(conditions);
  if (entries.length === 0) return 'Conditions must name at least one field (or be null)';
  for (const [name, value] of entries) {
    const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (!field) return `${permission} has no condition field ${name} (fields: ${Object.keys(fields).join(', ')})`;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const list = (value as { $in?: unknown }).$in;
      if (keys.length !== 1 || !Array.isArray(list) || list.length === 0 || list.length > 50) return `${name}: use a string or { "$in": [1 to 50 strings] }`;
      for (const item of list) {
        const problem = checkScalar(field, item);
        if (problem) return `${name}: ${problem}`;
      }
      continue;
    }
    const problem = checkScalar(field, value);
    if (problem) return `${name}: ${problem}`;
  }
  return null;
}

/** Does this condition mention the caller (so its compiled rule differs per user)? */
export function mentionsSelf(conditions: Conditions): boolean {
  // Tolerates a malformed stored value (it is rejected by validation, not here).
  return Object.values(conditions).some((v) => (typeof v === 'string' ? v === SELF : Array.isArray(v?.$in) && v.$in.includes(SELF)));
}

/** The condition with SELF replaced by the caller's user id; null when there is no user (deny). */
export function resolveSelf(conditions: Conditions, userId: string | null): Conditions | null {
  if (!mentionsSelf(conditions)) return conditions;
  if (!userId) return null;
  const out: Conditions = {};
  for (const [k, v] of Object.entries(conditions)) {
    out[k] = typeof v === 'string' ? (v === SELF ? userId : v) : { $in: v.$in.map((x) => (x === SELF ? userId : x)) };
  }
  return out;
}
