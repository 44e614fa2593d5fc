-- Data API subscriptions (issue 14): a change to a row of a workspace's own table is signalled
-- with NOTIFY on `atrium_data_changes`, carrying ids only (the schema, the table, the operation and
-- the primary keys, at most 100 per message): API processes re-read the rows under each
-- subscriber's rights, so a subscriber never receives a row its row rules hide. Statement-level
-- triggers with transition tables (one NOTIFY per 100 rows, not one per row), added by the
-- migration compiler to every table (tables whose primary key spans several columns send nothing). NOTIFY is delivered at commit,
-- and never for a transaction that rolls back.
create or replace function atrium_data_notify() returns trigger
language plpgsql security invoker set search_path = pg_catalog, pg_temp as $$
declare
  key_column text;
  keys text[];
  i int;
begin
  -- The primary key, read at each statement (a renamed key column keeps working).
  select a.attname into key_column from pg_index x join pg_attribute a on a.attrelid = x.indrelid and a.attnum = x.indkey[0]
   where x.indrelid = tg_relid and x.indisprimary and x.indnatts = 1;
  if key_column is null then
    return null;
  end if;
  if tg_op = 'DELETE' then
    execute format('select array_agg(to_jsonb(r) ->> %L) from old_rows r', key_column) into keys;
  else
    execute format('select array_agg(to_jsonb(r) ->> %L) from new_rows r', key_column) into keys;
  end if;
  if keys is null then
    return null;
  end if;
  i := 1;
  while i <= array_length(keys, 1) loop
    perform pg_notify('atrium_data_changes', json_build_object(
      's', tg_table_schema, 't', tg_table_name, 'o', lower(left(tg_op, 1)), 'k', keys[i:i + 99])::text);
    i := i + 100;
  end loop;
  return null;
end $$;
-- Every data role creates triggers with it (EXECUTE is checked when a trigger is created).
grant execute on function atrium_data_notify() to public;
