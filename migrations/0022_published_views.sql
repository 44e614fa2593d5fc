-- What a module publishes for other modules to read (the structural repairs issue: a module reads
-- only its own tables, and what others publish). Views, not functions: the planner inlines them,
-- so a read through a view costs what the read of the table did. security_invoker: the caller's
-- RLS applies, exactly as on the table. Read-only by construction for the readers (select only).
--
--   workspace_directory       tenancy → every module: a workspace's identity, plan and status
--   workspace_setting_values  tenancy → modules owning a setting (retention days, rate limit)
--   user_directory            identity → modules showing who did something (requests, support)
--   api_key_role_sets         access → identity (0019)
-- test/structure/table-ownership.test.ts holds each module to its own tables and these views.

create view workspace_directory with (security_invoker = true) as
  select id, slug, name, plan, status, parent_id, kind, created_at, deleted_at from workspaces;

create view workspace_setting_values with (security_invoker = true) as
  select workspace_id, key, value from workspace_settings;

create view user_directory with (security_invoker = true) as
  select id, email, name, is_platform_admin from users;

grant select on workspace_directory, workspace_setting_values, user_directory to atrium_app, atrium_platform;
