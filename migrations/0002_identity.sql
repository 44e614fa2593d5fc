-- Identity: second-factor challenge attempts and listing indexes.

-- Wrong codes per MFA challenge: after 5 the challenge is spent, so a stolen password can't be
-- followed by a brute force of the 6-digit code within one challenge.
alter table mfa_challenges add column attempts int not null default 0;
create index mfa_challenges_user_idx on mfa_challenges (user_id);

-- Members are listed in the order they joined (cursor pagination on (created_at, user_id)).
create index memberships_workspace_joined_idx on memberships (workspace_id, created_at, user_id);
