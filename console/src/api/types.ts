// Shapes of the API's JSON (camelCase, ISO timestamps). Roles and permissions come from the
// server's typed registry, so the console cannot drift from it.
import type { Permission, Role } from '../../../src/modules/access/registry.ts';
import type { QueryOf, ResponseOf } from './contract.ts';

export type { Permission, Role };
export type WorkspaceKind = 'organization' | 'project' | 'team';
export type WorkspaceStatus = 'active' | 'suspended' | 'deleted';

export type Workspace = {
  id: string;
  slug: string;
  name: string;
  plan: string;
  status: WorkspaceStatus;
  parentId: string | null;
  kind: WorkspaceKind;
  createdAt?: string;
  updatedAt?: string;
};

/** An entry of GET /workspaces: a workspace you belong to, with your role there. */
export type MyWorkspace = { id: string; slug: string; name: string; status: WorkspaceStatus; parentId: string | null; role: Role; isCurrent: boolean };

/** A cursor-paginated list (`limit` + `cursor`). */
export type Paged<T> = { data: T[]; nextCursor: string | null };

export type MeUser = { id: string; email: string; name: string; isPlatformAdmin: boolean; mfaEnabled: boolean };
export type MembershipSummary = { workspaceId: string; slug: string; name: string; role: Role; parentId: string | null; kind?: WorkspaceKind };

export type Me = {
  user: MeUser | null;
  workspace: Workspace;
  role: Role;
  permissions: Permission[];
  memberships: MembershipSummary[];
  sessionId: string | null;
  principalType: 'user' | 'api_key';
};

export type TokenPair = { accessToken: string; refreshToken: string; expiresIn: number; sessionId: string; tokenType?: string; workspaceId?: string };

export type LoginResult = ({ mfaRequired: false } & TokenPair) | { mfaRequired: true; challengeToken: string; expiresIn: number };

export type SignupResult =
  | ({ status: 'created'; user: { id: string; email: string; name: string }; workspace: Workspace } & TokenPair)
  | { status: 'already_created' };

export type Session = {
  id: string;
  workspaceId: string;
  expiresAt: string;
  createdAt: string;
  lastUsedAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
  revokedAt: string | null;
};

export type ApiKeyRole = Exclude<Role, 'owner'>;

export type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  role: ApiKeyRole;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  createdBy: string | null;
  /** Custom roles held on top of `role`. */
  roleIds: string[];
};

export type CreatedApiKey = ApiKey & { key: string };

export type Member = { userId: string; email: string; name: string; role: Role; joinedAt: string; mfaEnabled: boolean };

export type InvitationRole = Exclude<Role, 'owner'>;

export type Invitation = { id: string; email: string; role: InvitationRole; createdAt: string; expiresAt: string; invitedBy?: string | null };

export type InvitationLookup = { workspaceName: string; email: string; role: InvitationRole; hasAccount: boolean; expiresAt: string };

export type MfaEnrollment = { secret: string; otpauthUri: string; qrCodeDataUrl: string };

export type Mail = {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  kind: string;
  status: 'pending' | 'sent' | 'failed' | 'stored';
  createdAt: string;
  sentAt?: string | null;
  workspaceId?: string;
};

export type MailPage = { data: Mail[]; nextCursor: string | null };

export type Plan = 'free' | 'pro' | 'enterprise';

// Generated from the server's OpenAPI document (contract.ts).
export type AdminWorkspacePage = ResponseOf<'/api/v1/admin/workspaces', 'get'>;
export type AdminWorkspace = AdminWorkspacePage['data'][number];
export type AdminWorkspaceQuery = Required<Pick<QueryOf<'/api/v1/admin/workspaces', 'get'>, 'sort' | 'order' | 'limit' | 'offset'>> & Omit<QueryOf<'/api/v1/admin/workspaces', 'get'>, 'sort' | 'order' | 'limit' | 'offset'>;
