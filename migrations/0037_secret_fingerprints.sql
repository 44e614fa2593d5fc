-- Keyed fingerprints of secret values (HMAC-SHA256 of each token worth matching, under a key
-- derived from the master key; see src/modules/secrets/fingerprints.ts). They let a check ask
-- whether a text holds a value of any workspace's vault (a workflow build must not) without
-- decrypting every vault. `fingerprint_key` is the master key id they were made under: null
-- (rows written before this migration) or an old id means "make them again", which the platform
-- does before the next check.
alter table secrets
  add column fingerprints bytea[] not null default '{}',
  add column fingerprint_key text;

-- "Which of these hashes are some value's?" across workspaces, on the platform path only.
create index secrets_fingerprints_idx on secrets using gin (fingerprints);
