// The SQL Atrium runs for each benchmarked route, taken from the identity module itself, so
// the bare peer runs exactly the same statements.
export { ME_SQL, LIST_API_KEYS_SQL } from '../../src/modules/identity/index.ts';
/** GET /api-keys with no query: first page, default limit 50 (20 rows exist). */
export const LIST_PARAMS = (workspaceId: string) => [workspaceId, null, 50];
