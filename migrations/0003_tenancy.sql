-- Tenancy: why a workspace is suspended, and the one lookup about child workspaces that tenant
-- code needs (children are other tenants' rows, invisible under the parent's binding).

alter table workspaces
  add column suspended_at  timestamptz,
  add column status_reason text check (status_reason is null or length(status_reason) <= 500);

-- Children of the bound workspace that are not deleted (an owner cannot soft-delete a workspace
-- that still has live children). Answers only about the workspace the transaction is bound
-- to, so it reveals nothing about other workspaces; the platform path queries directly.
create or replace function atrium_workspace_live_children(p_workspace_id uuid) returns int
language sql stable security definer set search_path = public, pg_temp as $$
  select count(*)::int from workspaces
  where parent_id = p_workspace_id and status <> 'deleted'
    and p_workspace_id = atrium_current_workspace()
$$;
revoke all on function atrium_workspace_live_children(uuid) from public;
grant execute on function atrium_workspace_live_children(uuid) to atrium_app, atrium_platform;
