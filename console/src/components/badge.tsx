import type { ReactNode } from 'react';
import type { Role, WorkspaceStatus } from '../api/types.ts';
import { capitalize } from '../lib/format.ts';

export type BadgeTone = 'neutral' | 'accent' | 'success' | 'warning' | 'danger' | 'info';

export function Badge({ tone = 'neutral', children, title }: { tone?: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

const ROLE_TONES: Record<Role, BadgeTone> = { owner: 'accent', admin: 'info', member: 'neutral', viewer: 'neutral' };

export function RoleBadge({ role }: { role: Role }) {
  return <Badge tone={ROLE_TONES[role] ?? 'neutral'}>{capitalize(role)}</Badge>;
}

const STATUS_TONES: Record<string, BadgeTone> = {
  active: 'success',
  suspended: 'warning',
  deleted: 'danger',
  sent: 'success',
  stored: 'info',
  pending: 'warning',
  succeeded: 'success',
  running: 'info',
  queued: 'neutral',
  failed: 'danger',
};

export function StatusBadge({ status }: { status: WorkspaceStatus | string }) {
  return <Badge tone={STATUS_TONES[status] ?? 'neutral'}>{capitalize(status)}</Badge>;
}
