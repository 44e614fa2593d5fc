// GET /permissions: the registry, for the console's checklist and the docs.
import { PERMISSIONS, ROLES, roleCan } from './permissions.ts';
import type { Permission, Role } from './permissions.ts';
import { CONDITIONAL_PERMISSIONS } from './conditions.ts';

export type PermissionInfo = {
  name: Permission;
  resource: string;
  action: string;
  description: string;
  builtInRoles: Role[];
  conditionFields: { name: string; kind: 'user' | 'enum' | 'tags'; description: string; values?: string[] }[];
};

export function listPermissions(): PermissionInfo[] {
  return (Object.keys(PERMISSIONS) as Permission[]).map((name) => {
    const dot = name.indexOf('.');
    const fields = CONDITIONAL_PERMISSIONS[name] ?? {};
    return {
      name,
      resource: name.slice(0, dot),
      action: name.slice(dot + 1),
      description: PERMISSIONS[name],
      builtInRoles: ROLES.filter((r) => roleCan(r, name)),
      conditionFields: Object.entries(fields).map(([field, spec]) => ({
        name: field, kind: spec.kind, description: spec.description, ...(spec.kind === 'enum' ? { values: [...spec.values] } : {}),
      })),
    };
  });
}
