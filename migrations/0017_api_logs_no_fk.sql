-- API logs are written for every request (batched, src/modules/apilogs/api-log-buffer.ts). Two
-- costs of each logged row are dropped here. The foreign key to workspaces cost a lookup and a row lock per
-- row for no protection worth having on a log (a workspace is only soft-deleted; retention removes rows by time).
-- Measured: the capture took ~28% of peak throughput on `GET /auth/me` (docs/benchmarks.md).
alter table api_logs drop constraint api_logs_workspace_id_fkey;

-- And no primary key: nothing looks a log row up by id alone (listings page on the
-- (workspace_id, created_at, id) index, retention deletes by ctid), so each logged request
-- maintains one btree instead of two.
alter table api_logs drop constraint api_logs_pkey;
