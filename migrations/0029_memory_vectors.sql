-- Vector recall (issue 13): when a workspace names an embedding model (setting
-- memory.embedding_model), each memory's embedding is computed after `remember` answers, by the
-- memory.embed job through the AI gateway (metered like any call), and kept beside it with the
-- model that made it. Recall then fuses the lexical ranking with the nearest memories by cosine
-- similarity (reciprocal rank fusion). The database here has no pgvector: the similarity is an
-- exact scan of the newest 2,000 embedded memories in scope (memory.store.ts), enough for an
-- agent's memory and bounded whatever the workspace holds; with pgvector an index would replace it.
alter table memories add column embedding real[];
alter table memories add column embedding_model text;
-- The memories the job still has to embed, newest first (a partial index: most are done).
create index memories_unembedded_idx on memories (workspace_id, id desc) where embedding is null;

create function atrium_cosine(a real[], b real[]) returns float8
language sql immutable parallel safe as $$
  select sum(x::float8 * y) / nullif(sqrt(sum(x::float8 * x)) * sqrt(sum(y::float8 * y)), 0) from unnest(a, b) as t(x, y)
$$;
grant execute on function atrium_cosine(real[], real[]) to atrium_app, atrium_platform;
