// The logged-in user's context: who they are, the current workspace and what their role may do.
// Permissions only hide UI; the server decides every request.
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import type { Me, Permission } from '../api/types.ts';

export type SessionValue = { me: Me; workspaceId: string; can: (permission: Permission) => boolean };

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const granted = new Set(me.permissions);
  const value: SessionValue = { me, workspaceId: me.workspace.id, can: (permission) => granted.has(permission) };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() outside <SessionProvider>');
  return value;
}
