// Sign up: creates the account, the organization workspace and logs in.
import { useState } from 'react';
import type { ChangeEvent } from 'react';
import { useSessionActions, useSignup } from '../../api/auth.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { AuthLayout } from '../../components/auth-layout.tsx';
import { FormError, Notice, TextField } from '../../components/field.tsx';
import { Link } from '../../lib/router.tsx';

const FIELDS = ['name', 'email', 'password', 'companyName'] as const;

export function SignupPage() {
  const signup = useSignup();
  const actions = useSessionActions();
  const [form, setForm] = useState({ name: '', email: '', password: '', companyName: '' });
  const [isExisting, setIsExisting] = useState(false);
  const set = (key: keyof typeof form) => (event: ChangeEvent<HTMLInputElement>) => setForm({ ...form, [key]: event.target.value });
  const passwordError = fieldError(signup.error, 'password', ['WEAK_PASSWORD']);
  const hasFieldError = Boolean(passwordError) || FIELDS.some((f) => fieldError(signup.error, f));

  return (
    <AuthLayout
      title="Create your Atrium workspace"
      subtitle="One workspace for your agency; add a project per client later."
      footer={<>Already have an account? <Link to="/login">Log in</Link></>}
    >
      {isExisting ? (
        <Notice tone="warning">
          An account already exists for {form.email}. Nothing was changed. <Link to="/login">Log in instead</Link>.
        </Notice>
      ) : null}
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          setIsExisting(false);
          signup.mutate(
            { name: form.name.trim(), email: form.email.trim(), password: form.password, companyName: form.companyName.trim() },
            {
              onSuccess: (result) => {
                if (result.status === 'created') actions.start(result, '/');
                else setIsExisting(true);
              },
            },
          );
        }}
      >
        <TextField label="Your name" value={form.name} onChange={set('name')} autoComplete="name" required autoFocus error={fieldError(signup.error, 'name')} />
        <TextField label="Work email" type="email" value={form.email} onChange={set('email')} autoComplete="email" required error={fieldError(signup.error, 'email')} />
        <TextField label="Password" type="password" value={form.password} onChange={set('password')} autoComplete="new-password" required minLength={10} hint="At least 10 characters. A passphrase is easiest." error={passwordError} />
        <TextField label="Company name" value={form.companyName} onChange={set('companyName')} autoComplete="organization" required hint="Your workspace is named after it; you can rename it later." error={fieldError(signup.error, 'companyName')} />
        <FormError message={signup.error && !hasFieldError ? errorMessage(signup.error) : null} />
        <button type="submit" className="btn btn-primary btn-block" disabled={signup.isPending}>
          {signup.isPending ? 'Creating your workspace…' : 'Create account'}
        </button>
      </form>
    </AuthLayout>
  );
}
