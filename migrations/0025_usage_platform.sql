-- The platform admin's analytics across workspaces and the retention of raw usage events:
--  * rollups read by time across every workspace (the per-workspace key leads with workspace_id);
--  * raw events read by time across workspaces (the live hour, the edges of a window, the CSV
--    export in time slices, the retention's deletes): a BRIN index — a few pages for a table of
--    millions, and nearly free on insert, since events arrive in time order.
create index usage_rollups_time_idx on usage_rollups (granularity, bucket);
create index usage_events_time_brin on usage_events using brin (occurred_at);
