-- The memories list's search (`GET /memories?search=`, `/agents/:id/memories?search=`) through its
-- GIN index, for the reason 0028 gives for recall: under row-level security the full-text match
-- is never an index condition, and a rare word made the list read every memory of the workspace.
-- The same shape as atrium_recall_memories: it runs as its owner, answers for the workspace the
-- transaction is bound to only, and returns ids (newest first, after the cursor); the caller
-- reads the rows through RLS. p_agent: 'any' (every memory), 'shared' (agent_id null) or an agent's id.
create or replace function atrium_search_memories(p_search text, p_tags text[], p_agent text, p_before uuid, p_limit int)
returns setof uuid
language plpgsql stable security definer set search_path = public, pg_temp as $$
declare
  ws uuid := atrium_current_workspace();
  scope text := case when p_agent = 'any' then 'true' when p_agent = 'shared' then 'agent_id is null' else 'agent_id = $4::uuid' end;
begin
  if ws is null then return; end if;
  return query execute format($q$
    select id from memories
     where workspace_id = $1 and search @@ websearch_to_tsquery('simple', $2) and ($3 = '{}' or tags @> $3) and %s
       and ($5::uuid is null or id < $5)
     order by id desc limit $6$q$, scope)
    using ws, p_search, coalesce(p_tags, '{}'), case when p_agent in ('any', 'shared') then null else p_agent end, p_before, p_limit;
end $$;
revoke all on function atrium_search_memories(text, text[], text, uuid, int) from public;
grant execute on function atrium_search_memories(text, text[], text, uuid, int) to atrium_app, atrium_platform;
