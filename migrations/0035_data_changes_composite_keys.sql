-- Data API subscriptions (issue 14) for tables whose primary key spans several columns: the change
-- signal carries each row's key as a JSON array of the key's values as text (["acme", "42"]), in
-- the key's column order; one-column keys keep sending the value alone, as 0034 did. API processes
-- read the rows again under each subscriber's rights, matching on the same text. (`r.*`: a table
-- with a column named r no longer hides the row from to_jsonb.)
create or replace function atrium_data_notify() returns trigger
language plpgsql security invoker set search_path = pg_catalog, pg_temp as $$
declare
  key_columns text[];
  keys text[];
  i int;
begin
  -- The primary key, read at each statement (a renamed key column keeps working).
  select array_agg(a.attname order by k.i) into key_columns
    from pg_index x cross join lateral unnest(x.indkey::int2[]) with ordinality k(n, i)
    join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.n
   where x.indrelid = tg_relid and x.indisprimary;
  if key_columns is null then
    return null;
  end if;
  if array_length(key_columns, 1) = 1 then
    execute format('select array_agg(to_jsonb(r.*) ->> %L) from %I r', key_columns[1], case when tg_op = 'DELETE' then 'old_rows' else 'new_rows' end) into keys;
  else
    execute format('select array_agg((select jsonb_agg(to_jsonb(r.*) ->> u.c order by u.o) from unnest(%L::text[]) with ordinality u(c, o))::text) from %I r',
      key_columns, case when tg_op = 'DELETE' then 'old_rows' else 'new_rows' end) into keys;
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
