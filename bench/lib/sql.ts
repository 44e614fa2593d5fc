// The SQL Atrium runs for each benchmarked route (kept in step with the identity module's
// stores), which the bare peer runs too. $1 = user id, $2 = workspace id.
export const ME_SQL = [
  'select id, email, name, is_platform_admin, totp_enabled_at from users where id = $1 and $2::uuid is not null',
  'select * from atrium_user_memberships($1) where $2::uuid is not null',
];

// $1 = workspace id
export const LIST_SQL = `select id, name, prefix, role, created_by, created_at, last_used_at, expires_at, revoked_at
  from api_keys where workspace_id = $1 order by created_at desc, id desc limit 50`;
