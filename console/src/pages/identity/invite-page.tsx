// Accept an invitation from its link: join with the existing account's password, or create one.
import { useState } from 'react';
import { useSessionActions } from '../../api/auth.ts';
import { ApiError, errorMessage, fieldError } from '../../api/client.ts';
import { useAcceptInvitation, useInvitationLookup } from '../../api/members.ts';
import { AuthLayout } from '../../components/auth-layout.tsx';
import { RoleBadge } from '../../components/badge.tsx';
import { FormError, TextField } from '../../components/field.tsx';
import { Loading } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { Link } from '../../lib/router.tsx';

export function InvitePage({ token }: { token: string }) {
  const lookup = useInvitationLookup(token);
  const accept = useAcceptInvitation();
  const actions = useSessionActions();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);

  if (lookup.isPending) {
    return (
      <AuthLayout title="Opening your invitation">
        <Loading label="Checking the invitation…" />
      </AuthLayout>
    );
  }
  if (lookup.isError) {
    return (
      <AuthLayout title={invalidTitle(lookup.error)} footer={<Link to="/login">Go to the login page</Link>}>
        <p className="muted">{invalidText(lookup.error)}</p>
      </AuthLayout>
    );
  }

  const invitation = lookup.data;
  const passwordError = fieldError(accept.error, 'password', ['WEAK_PASSWORD', 'INVALID_CREDENTIALS']);
  const codeError = fieldError(accept.error, 'code', ['MFA_CODE_INVALID']);
  const isMfaPrompt = accept.error instanceof ApiError && accept.error.code === 'MFA_REQUIRED';
  return (
    <AuthLayout
      title={`Join ${invitation.workspaceName}`}
      subtitle={
        <>
          You were invited as <RoleBadge role={invitation.role} /> with <strong>{invitation.email}</strong>.
          {' '}The link is valid until {formatDateTime(invitation.expiresAt)}.
        </>
      }
      footer={invitation.hasAccount ? <>Not you? Ask for an invitation to your own email.</> : <>Already have an account with another email? <Link to="/login">Log in</Link></>}
    >
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          accept.mutate(
            { token, password, ...(invitation.hasAccount ? {} : { name: name.trim() }), ...(needsCode && code.trim() ? { code: code.trim() } : {}) },
            {
              onSuccess: (pair) => actions.start(pair, '/'),
              onError: (error) => {
                if (error instanceof ApiError && error.code === 'MFA_REQUIRED') setNeedsCode(true);
              },
            },
          );
        }}
      >
        <TextField label="Email" type="email" value={invitation.email} readOnly autoComplete="username" />
        {invitation.hasAccount ? (
          <TextField label="Your password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required autoFocus hint="You already have an Atrium account: confirm it is you." error={passwordError} />
        ) : (
          <>
            <TextField label="Your name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" required autoFocus error={fieldError(accept.error, 'name')} />
            <TextField label="Choose a password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required minLength={10} hint="At least 10 characters." error={passwordError} />
          </>
        )}
        {needsCode ? (
          <TextField label="Authentication or recovery code" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code" required autoFocus className="mono" hint="Your account has two-factor authentication on." error={codeError} />
        ) : null}
        <FormError message={accept.error && !passwordError && !codeError && !isMfaPrompt && !fieldError(accept.error, 'name') ? errorMessage(accept.error) : null} />
        <button type="submit" className="btn btn-primary btn-block" disabled={accept.isPending}>
          {accept.isPending ? 'Joining…' : invitation.hasAccount ? `Join ${invitation.workspaceName}` : 'Create account and join'}
        </button>
      </form>
    </AuthLayout>
  );
}

function invalidTitle(error: unknown): string {
  if (error instanceof ApiError && error.code === 'INVITATION_ALREADY_ACCEPTED') return 'Invitation already accepted';
  if (error instanceof ApiError && error.code === 'INVITATION_EXPIRED') return 'This invitation has expired';
  return 'This invitation link is not valid';
}

function invalidText(error: unknown): string {
  if (error instanceof ApiError && error.code === 'INVITATION_ALREADY_ACCEPTED') return 'You can log in to reach the workspace.';
  if (error instanceof ApiError && (error.code === 'INVITATION_EXPIRED' || error.code === 'INVITATION_NOT_FOUND' || error.status === 404)) {
    return 'It may have expired, been revoked, or been copied incompletely. Ask the person who invited you to send a new one.';
  }
  return errorMessage(error);
}
