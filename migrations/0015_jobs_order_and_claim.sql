-- Job engine, after its first benchmark (docs/benchmarks.md, "Job engine"):
--
--  * Order: ids are UUIDv7, random below the millisecond, so two jobs enqueued in the same
--    millisecond could run (or be promoted behind an ordering key) in either order. `seq` is the
--    enqueue order; claims and promotions use it.
--  * Dead index entries: the claim index held every status, so each claim (pending → running)
--    added an entry and each completion left one dead; a drain walked over them and slowed down
--    round after round. The claim index is now partial (pending jobs only): a claimed job leaves
--    it, and scans mark the old entries dead as they pass (btree's LP_DEAD hint).
--  * The jobs → job_lanes foreign key needed a full (queue, lane) index and locked the lane row
--    on every insert. Lanes are kept by protocol instead: an enqueue holds the lane's advisory
--    lock shared while it inserts the lane row and the job; the janitor takes that lock
--    exclusively first, then (in a new snapshot) deletes the lane only if no job of any status is
--    in it (src/kernel/jobs/jobs.store.ts).

alter table jobs add column seq bigint generated always as identity;

alter table jobs drop constraint jobs_queue_lane_fkey;
drop index jobs_claim_idx;
drop index jobs_ordering_idx;

create index jobs_claim_idx on jobs (queue, lane, priority desc, run_at, seq) where status = 'pending';
create index jobs_ordering_idx on jobs (lane, ordering_key, seq) where ordering_key is not null;

grant usage on sequence jobs_seq_seq to atrium_app, atrium_platform;
