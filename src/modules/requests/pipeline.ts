// The request pipeline: submitted → reviewing → negotiation → contract_signed → development →
// deployed, one step at a time, moved by platform admins; `rejected` from any open status.
// The client may withdraw before a contract is signed. Final statuses never move again.
export const REQUEST_STATUSES = ['submitted', 'reviewing', 'negotiation', 'contract_signed', 'development', 'deployed', 'rejected', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** The pipeline's order (the admin board's columns). */
export const PIPELINE: readonly RequestStatus[] = ['submitted', 'reviewing', 'negotiation', 'contract_signed', 'development', 'deployed'];

export const FINAL_STATUSES: readonly RequestStatus[] = ['deployed', 'rejected', 'withdrawn'];

/** Before a contract is signed the client may still withdraw. */
const WITHDRAWABLE: readonly RequestStatus[] = ['submitted', 'reviewing', 'negotiation'];

export function isFinal(status: RequestStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Where a platform admin may move a request from `status`. */
export function nextStatuses(status: RequestStatus): RequestStatus[] {
  if (isFinal(status)) return [];
  const next = PIPELINE[PIPELINE.indexOf(status) + 1];
  return next ? [next, 'rejected'] : ['rejected'];
}

export function canMove(from: RequestStatus, to: RequestStatus): boolean {
  return nextStatuses(from).includes(to);
}

export function canWithdraw(status: RequestStatus): boolean {
  return WITHDRAWABLE.includes(status);
}

/** The client edits its request only while nobody has started looking at it. */
export function isEditable(status: RequestStatus): boolean {
  return status === 'submitted';
}
