// Log in: email and password, then the TOTP code (or a recovery code) when MFA is enabled.
import { useState } from 'react';
import { useLogin, useLoginMfa, useSessionActions } from '../../api/auth.ts';
import { ApiError, errorMessage, fieldError } from '../../api/client.ts';
import { AuthLayout } from '../../components/auth-layout.tsx';
import { FormError, Notice, TextField } from '../../components/field.tsx';
import { Link, useLocation } from '../../lib/router.tsx';

export function LoginPage({ next }: { next: string }) {
  const { search } = useLocation();
  const login = useLogin();
  const mfa = useLoginMfa();
  const actions = useSessionActions();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challengeToken, setChallengeToken] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [isRecovery, setIsRecovery] = useState(false);

  if (challengeToken) {
    return (
      <AuthLayout
        title="Two-factor authentication"
        subtitle={isRecovery ? 'Enter one of the recovery codes you saved when you enabled two-factor authentication.' : 'Enter the 6-digit code from your authenticator app.'}
        footer={<button type="button" className="link-button" onClick={() => { setChallengeToken(null); setCode(''); mfa.reset(); }}>Back to login</button>}
      >
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            mfa.mutate({ challengeToken, code: code.trim() }, { onSuccess: (pair) => actions.start(pair, next) });
          }}
        >
          {isRecovery ? (
            <TextField key="recovery" label="Recovery code" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" autoFocus required spellCheck={false} className="mono" error={fieldError(mfa.error, 'code')} />
          ) : (
            <TextField key="totp" label="Authentication code" value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))} inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" autoFocus required placeholder="123456" className="mono code-input" error={fieldError(mfa.error, 'code')} />
          )}
          <FormError message={mfa.error ? mfaMessage(mfa.error) : null} />
          <button type="submit" className="btn btn-primary btn-block" disabled={mfa.isPending}>
            {mfa.isPending ? 'Verifying…' : 'Verify and log in'}
          </button>
          <button type="button" className="link-button" onClick={() => { setIsRecovery(!isRecovery); setCode(''); mfa.reset(); }}>
            {isRecovery ? 'Use your authenticator app instead' : 'Use a recovery code'}
          </button>
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Log in to Atrium"
      subtitle="Welcome back. Use the email and password of your account."
      footer={<>New here? <Link to="/signup">Create an account</Link></>}
    >
      {search.get('reason') === 'ended' ? <Notice>Your session ended. Log in again to continue.</Notice> : null}
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const workspace = search.get('workspace') ?? undefined;
          login.mutate({ email: email.trim(), password, ...(workspace ? { workspace } : {}) }, {
            onSuccess: (result) => {
              if (result.mfaRequired) setChallengeToken(result.challengeToken);
              else actions.start(result, next);
            },
          });
        }}
      >
        <TextField label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" autoFocus required error={fieldError(login.error, 'email')} />
        <TextField label="Password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required error={fieldError(login.error, 'password')} />
        <FormError message={login.error && !fieldError(login.error, 'email') && !fieldError(login.error, 'password') ? loginMessage(login.error) : null} />
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthLayout>
  );
}

function loginMessage(error: unknown): string {
  if (error instanceof ApiError && error.code === 'INVALID_CREDENTIALS') return 'Email or password is incorrect.';
  if (error instanceof ApiError && error.code === 'LOGIN_THROTTLED') return error.detail ?? 'Too many failed attempts. Wait a few minutes and try again.';
  return errorMessage(error);
}

function mfaMessage(error: unknown): string {
  if (error instanceof ApiError && error.code === 'MFA_CODE_INVALID') return 'That code is not valid. Check the time on your device and try the next code.';
  if (error instanceof ApiError && error.code === 'MFA_CHALLENGE_INVALID') return 'This login attempt expired. Go back and enter your password again.';
  return errorMessage(error);
}
