-- The Citus path (issue 16, docs/scaling.md): a distributed table's unique constraints must lead
-- with workspace_id, or PostgreSQL on each shard cannot enforce them. Two tables are brought in
-- line here (test/distribution/citus-ready.test.ts lists what remains).

-- data_schemas: the names derive from the workspace id (0033); say so as a check, and uniqueness
-- follows from the primary key (workspace_id) instead of two global unique indexes.
alter table data_schemas
  drop constraint data_schemas_schema_name_key,
  drop constraint data_schemas_role_name_key,
  add constraint data_schemas_schema_name_of_workspace check (schema_name = 'ws_' || replace(workspace_id::text, '-', '')),
  add constraint data_schemas_role_name_of_workspace check (role_name = 'atrium_ws_' || replace(workspace_id::text, '-', ''));

-- invitations: the token's hash (SHA-256 of 32 random bytes) is unique per workspace; the public
-- accept route still finds it by hash alone (atrium_find_invitation), through a plain index.
alter table invitations drop constraint invitations_token_hash_key;
create unique index invitations_token_hash_key on invitations (workspace_id, token_hash);
create index invitations_token_hash_idx on invitations (token_hash);
