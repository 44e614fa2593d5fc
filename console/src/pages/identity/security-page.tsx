// The user's own security: sessions, two-factor authentication, password.
import { useState } from 'react';
import {
  useChangePassword, useMfaDisable, useMfaEnroll, useMfaVerify, useRegenerateRecoveryCodes, useRevokeSession, useSessions,
} from '../../api/auth.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import type { Session } from '../../api/types.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { FormError, Notice, TextField } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { describeUserAgent } from '../../lib/format.ts';
import { SupportAccessCard } from './security-support-access.tsx';

export function SecurityPage() {
  return (
    <>
      <PageHeader title="Security" description="Your account across every workspace: where you are logged in, two-factor authentication, password and support access." />
      <SessionsCard />
      <MfaCard />
      <PasswordCard />
      <SupportAccessCard />
    </>
  );
}

function SessionsCard() {
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const toast = useToast();
  const [revoking, setRevoking] = useState<Session | 'others' | null>(null);
  const active = (sessions.data ?? []).filter((s) => !s.revokedAt);
  const others = active.filter((s) => !s.current);

  const revokeOthers = async () => {
    for (const s of others) await revoke.mutateAsync(s.id);
    toast.success(`${others.length} other ${others.length === 1 ? 'session' : 'sessions'} logged out`);
    setRevoking(null);
  };

  return (
    <Card
      id="sessions"
      title="Sessions"
      description="Each device or browser you logged in from. Revoking one logs it out within seconds."
      actions={others.length > 0 ? (
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => setRevoking('others')}>
          Log out other sessions
        </button>
      ) : null}
    >
      <QueryView query={sessions} loadingLabel="Loading sessions…">
        {() =>
          active.length === 0 ? (
            <EmptyState icon="shield" title="No active sessions" />
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Device</th>
                    <th scope="col">IP address</th>
                    <th scope="col">Signed in</th>
                    <th scope="col">Last active</th>
                    <th scope="col"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  {active.map((s) => (
                    <tr key={s.id}>
                      <td>
                        <strong>{describeUserAgent(s.userAgent)}</strong>
                        {s.current ? <Badge tone="success">This device</Badge> : null}
                      </td>
                      <td className="mono">{s.ip ?? '—'}</td>
                      <td><RelativeTime iso={s.createdAt} /></td>
                      <td><RelativeTime iso={s.lastUsedAt} /></td>
                      <td className="cell-actions">
                        {s.current ? null : (
                          <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setRevoking(s)}>
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryView>
      <ConfirmDialog
        open={revoking !== null}
        title={revoking === 'others' ? 'Log out every other session?' : 'Revoke this session?'}
        description={revoking === 'others' ? `${others.length} other ${others.length === 1 ? 'device' : 'devices'} will have to log in again. This one stays logged in.` : `${revoking ? describeUserAgent(revoking.userAgent) : ''} will have to log in again.`}
        confirmLabel={revoking === 'others' ? 'Log them out' : 'Revoke session'}
        isPending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onClose={() => { setRevoking(null); revoke.reset(); }}
        onConfirm={() => {
          if (revoking === 'others') void revokeOthers().catch(() => undefined);
          else if (revoking) revoke.mutate(revoking.id, { onSuccess: () => { toast.success('Session revoked'); setRevoking(null); } });
        }}
      />
    </Card>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const text = codes.join('\n');
  return (
    <div className="stack">
      <Notice tone="warning">
        <strong>Save these recovery codes now; they are shown only once.</strong> Each one logs you in once if you lose your authenticator.
      </Notice>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => <li key={code}><code>{code}</code></li>)}
      </ul>
      <div className="row">
        <CopyButton text={text} label="Copy codes" />
        <a className="btn btn-secondary btn-sm" href={`data:text/plain;charset=utf-8,${encodeURIComponent(text + '\n')}`} download="atrium-recovery-codes.txt">
          Download
        </a>
        <button type="button" className="btn btn-primary btn-sm" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}

function MfaCard() {
  const { me } = useSession();
  const isEnabled = me.user?.mfaEnabled ?? false;
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  return (
    <Card
      id="mfa"
      title="Two-factor authentication"
      description="Ask for a code from an authenticator app (1Password, Authy, Google Authenticator…) after your password."
      actions={isEnabled ? <Badge tone="success">On</Badge> : <Badge tone="warning">Off</Badge>}
    >
      {recoveryCodes ? (
        <RecoveryCodes codes={recoveryCodes} onDone={() => setRecoveryCodes(null)} />
      ) : isEnabled ? (
        <MfaEnabled onCodes={setRecoveryCodes} />
      ) : (
        <MfaEnroll onCodes={setRecoveryCodes} />
      )}
    </Card>
  );
}

function MfaEnroll({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const enroll = useMfaEnroll();
  const verify = useMfaVerify();
  const toast = useToast();
  const [code, setCode] = useState('');

  if (!enroll.data) {
    return (
      <div className="stack">
        <p className="muted">Two-factor authentication is off. Anyone with your password can log in.</p>
        <FormError message={enroll.error ? errorMessage(enroll.error) : null} />
        <div>
          <button type="button" className="btn btn-primary" onClick={() => enroll.mutate()} disabled={enroll.isPending}>
            {enroll.isPending ? 'Preparing…' : 'Set up two-factor authentication'}
          </button>
        </div>
      </div>
    );
  }

  const codeError = fieldError(verify.error, 'code', ['MFA_CODE_INVALID']);
  return (
    <div className="mfa-setup">
      <div className="mfa-qr">
        <img src={enroll.data.qrCodeDataUrl} alt="QR code to scan with your authenticator app" width={184} height={184} />
      </div>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          verify.mutate(code, {
            onSuccess: (result) => {
              toast.success('Two-factor authentication is on');
              enroll.reset();
              setCode('');
              onCodes(result.recoveryCodes);
            },
          });
        }}
      >
        <ol className="steps">
          <li>Scan the QR code with your authenticator app.</li>
          <li>
            Or enter this secret by hand:
            <span className="secret-inline">
              <code data-testid="mfa-secret">{enroll.data.secret}</code>
              <CopyButton text={enroll.data.secret} />
            </span>
          </li>
          <li>Type the 6-digit code the app shows.</li>
        </ol>
        <TextField label="Authentication code" value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))} inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" required placeholder="123456" className="mono code-input" error={codeError} />
        <FormError message={verify.error && !codeError ? errorMessage(verify.error) : null} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={verify.isPending || code.length !== 6}>
            {verify.isPending ? 'Verifying…' : 'Verify and turn on'}
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => { enroll.reset(); verify.reset(); setCode(''); }}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}

function MfaEnabled({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const disable = useMfaDisable();
  const regenerate = useRegenerateRecoveryCodes();
  const toast = useToast();
  const [mode, setMode] = useState<'idle' | 'disable' | 'codes'>('idle');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const reset = () => {
    setMode('idle');
    setPassword('');
    setCode('');
    disable.reset();
    regenerate.reset();
  };

  if (mode === 'idle') {
    return (
      <div className="stack">
        <p className="muted">Logging in asks for a code from your authenticator app. Keep your recovery codes somewhere safe.</p>
        <div className="row">
          <button type="button" className="btn btn-secondary" onClick={() => setMode('codes')}>New recovery codes</button>
          <button type="button" className="btn btn-ghost btn-danger-text" onClick={() => setMode('disable')}>Turn off</button>
        </div>
      </div>
    );
  }

  if (mode === 'codes') {
    const codeError = fieldError(regenerate.error, 'code', ['MFA_CODE_INVALID']);
    return (
      <form
        className="form form-narrow"
        onSubmit={(event) => {
          event.preventDefault();
          regenerate.mutate(code, { onSuccess: (result) => { reset(); onCodes(result.recoveryCodes); } });
        }}
      >
        <p className="muted">Your old recovery codes stop working once new ones are made.</p>
        <TextField label="Authentication code" value={code} onChange={(e) => setCode(e.target.value.trim())} autoComplete="one-time-code" required autoFocus className="mono" error={codeError} />
        <FormError message={regenerate.error && !codeError ? errorMessage(regenerate.error) : null} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={regenerate.isPending}>{regenerate.isPending ? 'Generating…' : 'Generate new codes'}</button>
          <button type="button" className="btn btn-ghost" onClick={reset}>Cancel</button>
        </div>
      </form>
    );
  }

  const passwordError = fieldError(disable.error, 'password', ['INVALID_CREDENTIALS']);
  const codeError = fieldError(disable.error, 'code', ['MFA_CODE_INVALID']);
  return (
    <form
      className="form form-narrow"
      onSubmit={(event) => {
        event.preventDefault();
        disable.mutate({ password, code }, { onSuccess: () => { reset(); toast.success('Two-factor authentication is off'); } });
      }}
    >
      <Notice tone="warning">Without two-factor authentication, your password alone opens your account.</Notice>
      <TextField label="Password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required autoFocus error={passwordError} />
      <TextField label="Authentication or recovery code" value={code} onChange={(e) => setCode(e.target.value.trim())} autoComplete="one-time-code" required className="mono" error={codeError} />
      <FormError message={disable.error && !passwordError && !codeError ? errorMessage(disable.error) : null} />
      <div className="row">
        <button type="submit" className="btn btn-danger" disabled={disable.isPending}>{disable.isPending ? 'Turning off…' : 'Turn off two-factor'}</button>
        <button type="button" className="btn btn-ghost" onClick={reset}>Cancel</button>
      </div>
    </form>
  );
}

function PasswordCard() {
  const change = useChangePassword();
  const toast = useToast();
  const [form, setForm] = useState({ currentPassword: '', newPassword: '', confirm: '' });
  const [mismatch, setMismatch] = useState(false);
  const currentError = fieldError(change.error, 'currentPassword', ['INVALID_CREDENTIALS']);
  const newError = fieldError(change.error, 'newPassword', ['WEAK_PASSWORD']);

  return (
    <Card id="password" title="Password" description="Changing it keeps this session and logs out your other devices.">
      <form
        className="form form-narrow"
        onSubmit={(event) => {
          event.preventDefault();
          if (form.newPassword !== form.confirm) {
            setMismatch(true);
            return;
          }
          setMismatch(false);
          change.mutate({ currentPassword: form.currentPassword, newPassword: form.newPassword }, {
            onSuccess: () => {
              toast.success('Password changed');
              setForm({ currentPassword: '', newPassword: '', confirm: '' });
            },
          });
        }}
      >
        <TextField label="Current password" type="password" value={form.currentPassword} onChange={(e) => setForm({ ...form, currentPassword: e.target.value })} autoComplete="current-password" required error={currentError} />
        <TextField label="New password" type="password" value={form.newPassword} onChange={(e) => setForm({ ...form, newPassword: e.target.value })} autoComplete="new-password" required minLength={10} hint="At least 10 characters." error={newError} />
        <TextField label="Repeat the new password" type="password" value={form.confirm} onChange={(e) => { setForm({ ...form, confirm: e.target.value }); setMismatch(false); }} autoComplete="new-password" required error={mismatch ? 'The two passwords differ' : undefined} />
        <FormError message={change.error && !currentError && !newError ? errorMessage(change.error) : null} />
        <div>
          <button type="submit" className="btn btn-primary" disabled={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </Card>
  );
}
