// Workspaces nest organization → project → team: a child is always strictly below its parent,
// so an organization holds projects and teams, a project holds teams, a team holds nothing.
import type { WorkspaceKind } from './workspaces.store.ts';

const DEPTH: Record<WorkspaceKind, number> = { organization: 0, project: 1, team: 2 };

/** Why `parent` cannot hold a child of `child` kind, or null when it can. */
export function childKindProblem(parent: WorkspaceKind, child: WorkspaceKind): string | null {
  if (parent === 'team') return 'A team cannot have child workspaces';
  if (DEPTH[child] <= DEPTH[parent]) return `A ${parent} can only contain ${parent === 'organization' ? 'projects and teams' : 'teams'}`;
  return null;
}
