-- Each `atrium backup` that completed (issue 16): when, what and how big, so the platform can say
-- how old the last good backup is (atrium_backup_last_success_timestamp_seconds, the BackupTooOld
-- alert). A platform table (no workspace); the backup file itself never lives here.
create table backup_runs (
  id            uuid primary key default atrium_uuidv7(),
  started_at    timestamptz not null,
  finished_at   timestamptz not null default now(),
  file_name     text not null check (length(file_name) between 1 and 500),
  bytes         bigint not null check (bytes >= 0),
  sha256        text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  key_id        text not null check (length(key_id) <= 200),
  tables        int not null check (tables >= 0),
  rows_total    bigint not null check (rows_total >= 0),
  atrium_version text not null check (length(atrium_version) <= 50)
);
create index backup_runs_finished_idx on backup_runs (finished_at desc);

alter table backup_runs enable row level security;
alter table backup_runs force row level security;
create policy platform_access on backup_runs to atrium_platform using (true) with check (true);
grant select, insert on backup_runs to atrium_platform;
