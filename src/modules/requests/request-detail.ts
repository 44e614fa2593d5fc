// A request with its timeline, as the client sees it (no internal notes) or as a platform admin
// sees it (everything, plus its workspace and where it may move next).
import type { Tx } from '../../kernel/db/database.ts';
import { nextStatuses } from './pipeline.ts';
import type { AdminRequestDetail, AdminRequestView, RequestDetail, RequestView } from './requests.schema.ts';
import { findWorkspaceRef, listTimeline } from './requests.store.ts';
import type { AdminRequestRow } from './requests.store.ts';

export async function clientDetail(tx: Tx, request: RequestView): Promise<RequestDetail> {
  return { ...request, timeline: await listTimeline(tx, request.workspaceId, request.id, { withInternal: false }) };
}

export function adminView(row: AdminRequestRow): AdminRequestView {
  return { ...row, nextStatuses: nextStatuses(row.status) };
}

/** Platform path only (the timeline's internal notes). */
export async function adminDetail(tx: Tx, request: RequestView): Promise<AdminRequestDetail> {
  const workspace = await findWorkspaceRef(tx, request.workspaceId);
  const timeline = await listTimeline(tx, request.workspaceId, request.id, { withInternal: true });
  return { ...adminView({ ...request, workspace }), timeline };
}
