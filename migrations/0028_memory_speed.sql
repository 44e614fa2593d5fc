-- Recall and remember at 100,000 memories (issue 13's targets: p95 ≤ 20 ms each).
--
-- 1. Recall through the indexes. Under row-level security PostgreSQL may use a condition as an
--    index condition only when its operator is leakproof, and the full-text match (`@@`), the
--    trigram match (`<%`) and the tag containment (`@>`) are not: in a tenant transaction the
--    GIN indexes were never used and every recall read the whole workspace's memories (seen at
--    ~240 ms for one query over 100,000). This function finds the candidates, and only their ids
--    and scores, with the indexes: it runs as its owner, and reads the workspace the transaction
--    is bound to (never a parameter), as the policies do. The caller then reads the rows through
--    row-level security by primary key, so even a mistake here could not return another
--    workspace's memory. Planned for its words each time (EXECUTE): a generic plan cannot know
--    how common they are.
create or replace function atrium_recall_memories(p_query text, p_tags text[], p_agent_id uuid, p_limit int)
returns table (id uuid, score float8)
language plpgsql stable security definer set search_path = public, pg_temp
set pg_trgm.word_similarity_threshold = '0.5' as $$
declare
  ws uuid := atrium_current_workspace();
  scope text := case when p_agent_id is null then 'agent_id is null' else '(agent_id = $4 or agent_id is null)' end;
  cond text;
begin
  if ws is null then return; end if;
  cond := format('workspace_id = $1 and %s and ($3 = ''{}'' or tags @> $3) and (expires_at is null or expires_at > now())', scope);
  -- Full text: the memories holding every word, fused by reciprocal rank (k = 60) with those
  -- holding any of them (an agent asks in sentences), each ranked among the first 1,000 found.
  return query execute format($q$
    with q as (select plainto_tsquery('simple', $2) as every_word, replace(plainto_tsquery('simple', $2)::text, '&', '|')::tsquery as any_word),
         strict_pool as (select m.id, m.search from memories m, q where %1$s and m.search @@ q.every_word limit 1000),
         strict as (select s.id, row_number() over (order by ts_rank_cd(s.search, q.every_word) desc, s.id desc) as r
                      from strict_pool s, q order by ts_rank_cd(s.search, q.every_word) desc, s.id desc limit 40),
         pool as (select m.id, m.search from memories m, q where %1$s and m.search @@ q.any_word limit 1000),
         loose as (select p.id, row_number() over (order by ts_rank_cd(p.search, q.any_word) desc, p.id desc) as r
                     from pool p, q order by ts_rank_cd(p.search, q.any_word) desc, p.id desc limit 40)
    select u.id, sum(1.0 / (60 + u.r))::float8 as score from (select * from strict union all select * from loose) u
     group by u.id order by score desc, u.id desc limit $5$q$, cond)
    using ws, p_query, coalesce(p_tags, '{}'), p_agent_id, p_limit;
  if found then return; end if;
  -- Only when full text finds nothing: trigram word similarity, for misspelt and partial words.
  return query execute format($q$
    select m.id, (1.0 / (60 + row_number() over (order by word_similarity($2, m.text) desc, m.id desc)))::float8
      from memories m where %s and $2 <%% m.text
     order by word_similarity($2, m.text) desc, m.id desc limit $5$q$, cond)
    using ws, p_query, coalesce(p_tags, '{}'), p_agent_id, p_limit;
end $$;
revoke all on function atrium_recall_memories(text, text[], uuid, int) from public;
grant execute on function atrium_recall_memories(text, text[], uuid, int) to atrium_app, atrium_platform;

-- 2. Remember without waiting in line. Every memory moved one counter row per workspace (and
--    one per agent) in its transaction, so concurrent `remember`s of a workspace queued on that
--    row's lock until each committed. The counters are now spread over 16 slots per subject (a
--    writer moves the slot of its connection), and read as their sum. Two writers committing at
--    once may each pass the quota check on the other's uncommitted count: a quota can be passed
--    by at most the number of concurrent writers, never more.
alter table memory_counters add column slot smallint not null default 0 check (slot between 0 and 15);
alter table memory_counters drop constraint memory_counters_pkey;
alter table memory_counters add primary key (workspace_id, subject_id, slot);
alter table memory_counters drop constraint memory_counters_count_check;
alter table memory_counters drop constraint memory_counters_bytes_check;

create or replace function atrium_memory_counters() returns trigger language plpgsql as $$
declare s smallint := pg_backend_pid() % 16;
begin
  if tg_op in ('DELETE', 'UPDATE') then
    insert into memory_counters as c (workspace_id, subject_id, slot, count, bytes)
      select old.workspace_id, x, s, -1, -old.bytes from unnest(array[old.workspace_id, old.agent_id]) x where x is not null
      on conflict (workspace_id, subject_id, slot) do update set count = c.count - 1, bytes = c.bytes - old.bytes;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into memory_counters as c (workspace_id, subject_id, slot, count, bytes)
      select new.workspace_id, x, s, 1, new.bytes from unnest(array[new.workspace_id, new.agent_id]) x where x is not null
      on conflict (workspace_id, subject_id, slot) do update set count = c.count + 1, bytes = c.bytes + excluded.bytes;
  end if;
  return null;
end $$;
