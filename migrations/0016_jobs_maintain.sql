-- The job engine vacuums its hot table itself after heavy churn (autovacuum wakes once a minute;
-- a drain of 100k jobs leaves that many dead entries in the claim index meanwhile). VACUUM needs
-- the MAINTAIN privilege (PostgreSQL 17+); on older servers the engine leaves it to autovacuum.
do $$
begin
  if current_setting('server_version_num')::int >= 170000 then
    execute 'grant maintain on table jobs to atrium_platform';
  end if;
end $$;

-- The end of a job with an ordering key, in one round trip: delete it (if this worker still holds
-- this attempt), then under the key's lock let the next job of the key go; when that job's queue
-- is one the calling worker runs (p_claim_queues), claim it for that worker at once, so it starts
-- right after its predecessor without a notification and a claim. Returns {mine, next}: mine is
-- false when the completion was refused (the lease had expired); next is the claimed successor.
create or replace function atrium_jobs_end_keyed(p_id uuid, p_attempts int, p_worker text, p_claim_queues text[], p_lease_seconds float8)
returns jsonb
language plpgsql as $$
declare
  v_lane uuid;
  v_key text;
  v_next_id uuid;
  v_queue text;
  v_is_due boolean;
  v_next jobs%rowtype;
begin
  delete from jobs where id = p_id and attempts = p_attempts and locked_by = p_worker and status = 'running'
    returning lane, ordering_key into v_lane, v_key;
  if not found then
    return jsonb_build_object('mine', false, 'next', null);
  end if;
  if v_key is null then
    return jsonb_build_object('mine', true, 'next', null);
  end if;
  perform pg_advisory_xact_lock(hashtextextended(v_lane::text || ':' || v_key, 7215011));
  -- Its run-at is kept: a successor scheduled for later (a delay) waits until then.
  update jobs set status = 'pending', updated_at = now()
    where id = (select b.id from jobs b where b.lane = v_lane and b.ordering_key = v_key and b.status = 'blocked' order by b.seq limit 1)
      and not exists (select 1 from jobs h where h.lane = v_lane and h.ordering_key = v_key and h.status in ('pending', 'running'))
    returning id, queue, run_at <= now() into v_next_id, v_queue, v_is_due;
  if v_next_id is null then
    return jsonb_build_object('mine', true, 'next', null);
  end if;
  if v_is_due and v_queue = any(p_claim_queues) then
    update jobs set status = 'running', attempts = attempts + 1, locked_by = p_worker,
        lease_until = now() + make_interval(secs => p_lease_seconds), updated_at = now()
      where id = v_next_id returning * into v_next;
    return jsonb_build_object('mine', true, 'next', jsonb_build_object(
      'id', v_next.id, 'queue', v_next.queue, 'workspace_id', v_next.workspace_id, 'lane', v_next.lane, 'payload', v_next.payload,
      'actor', v_next.actor, 'attempts', v_next.attempts, 'max_attempts', v_next.max_attempts, 'timeout_ms', v_next.timeout_ms,
      'ordering_key', v_next.ordering_key, 'seq', v_next.seq));
  end if;
  if v_is_due then
    perform pg_notify('atrium_jobs', v_queue);
  end if;
  return jsonb_build_object('mine', true, 'next', null);
end $$;
