// TOTP: enrollment, verification, login with a code, replay refused, recovery codes once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { startTestPlatform } from '../../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../../test/helpers/platform.ts';
import { bearer, createMember, login, PASSWORD } from '../identity.fixtures.ts';

/** The code of time step `step` (30 s each). Tests use the current step and the next one,
 * which the server accepts whether or not a step boundary passes meanwhile (±1 step window). */
function codeAt(secret: string, step: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: step * 30_000 });
}

const currentStep = () => Math.floor(Date.now() / 30_000);

describe('TOTP multi-factor', () => {
  let platform: TestPlatform;
  before(async () => { platform = await startTestPlatform(); });
  after(async () => { await platform.stop(); });

  const post = (url: string, token: string | null, payload?: Record<string, unknown>) =>
    platform.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });

  /** A member with TOTP enabled at step `step`; returns the secret and recovery codes. */
  async function enrolledUser(step: number) {
    const user = await createMember(platform, 'member');
    const tokens = await login(platform, user.email);
    const enroll = await post('/auth/mfa/enroll', tokens.accessToken);
    assert.equal(enroll.statusCode, 200, enroll.body);
    const { secret } = enroll.json();
    const verify = await post('/auth/mfa/verify', tokens.accessToken, { code: codeAt(secret, step) });
    assert.equal(verify.statusCode, 200, verify.body);
    return { user, tokens, secret: secret as string, recoveryCodes: verify.json().recoveryCodes as string[] };
  }

  async function challenge(email: string): Promise<string> {
    const res = await post('/auth/login', null, { email, password: PASSWORD });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.mfaRequired, true);
    assert.equal(body.accessToken, undefined);
    assert.equal(body.expiresIn, 300);
    return body.challengeToken;
  }

  test('enroll: secret, otpauth URI and QR; the secret is stored sealed; not enabled until verified', async () => {
    const user = await createMember(platform, 'member');
    const tokens = await login(platform, user.email);
    const res = await post('/auth/mfa/enroll', tokens.accessToken);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.match(body.secret, /^[A-Z2-7]{32}$/);
    assert.match(body.otpauthUri, /^otpauth:\/\/totp\/Atrium:.+\?.*secret=/);
    assert.ok(body.otpauthUri.includes(`secret=${body.secret}`));
    assert.match(body.qrCodeDataUrl, /^data:image\/png;base64,/);
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ totp_secret: string; totp_enabled_at: Date | null }>('select totp_secret, totp_enabled_at from users where id = $1', [user.id]));
    assert.ok(rows[0].totp_secret.startsWith('v1.'));
    assert.ok(!rows[0].totp_secret.includes(body.secret));
    assert.equal(rows[0].totp_enabled_at, null);
    // Not enabled yet: the password alone still logs in.
    await login(platform, user.email);
    // A wrong code does not enable it.
    const wrong = await post('/auth/mfa/verify', tokens.accessToken, { code: '000000' === codeAt(body.secret, currentStep()) ? '111111' : '000000' });
    assert.equal(wrong.statusCode, 403);
    assert.equal(wrong.json().code, 'MFA_CODE_INCORRECT');
  });

  test('verify enables it with 10 recovery codes (stored hashed); enrolling again is 409', async () => {
    const { user, tokens, recoveryCodes } = await enrolledUser(currentStep());
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    for (const c of recoveryCodes) assert.match(c, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ recovery_codes: string[] }>('select recovery_codes from users where id = $1', [user.id]));
    assert.equal(rows[0].recovery_codes.length, 10);
    for (const c of recoveryCodes) assert.ok(!rows[0].recovery_codes.includes(c));
    const again = await post('/auth/mfa/enroll', tokens.accessToken);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'MFA_ALREADY_ENABLED');
    const me = await platform.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(tokens.accessToken) });
    assert.equal(me.json().user.mfaEnabled, true);
  });

  test('login asks for the code; a TOTP code works once; an older step is refused', async () => {
    const step = currentStep();
    const { user, secret } = await enrolledUser(step);
    const first = await challenge(user.email);
    const ok = await post('/auth/login/mfa', null, { challengeToken: first, code: codeAt(secret, step + 1) });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().workspaceId, user.workspaceId);
    const me = await platform.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(ok.json().accessToken) });
    assert.equal(me.statusCode, 200);

    // The same code again (replay), and the code used at enrollment: both refused.
    for (const code of [codeAt(secret, step + 1), codeAt(secret, step)]) {
      const token = await challenge(user.email);
      const replay = await post('/auth/login/mfa', null, { challengeToken: token, code });
      assert.equal(replay.statusCode, 401);
      assert.equal(replay.json().code, 'MFA_CODE_INVALID');
    }
    // A used challenge can't be answered again.
    const reused = await post('/auth/login/mfa', null, { challengeToken: first, code: codeAt(secret, step + 1) });
    assert.equal(reused.statusCode, 401);
    assert.equal(reused.json().code, 'MFA_CHALLENGE_INVALID');
  });

  test('a recovery code works once, in any case and with or without the dash', async () => {
    const { user, recoveryCodes } = await enrolledUser(currentStep());
    const ok = await post('/auth/login/mfa', null, { challengeToken: await challenge(user.email), code: recoveryCodes[0].toUpperCase().replace('-', ' ') });
    assert.equal(ok.statusCode, 200, ok.body);
    const again = await post('/auth/login/mfa', null, { challengeToken: await challenge(user.email), code: recoveryCodes[0] });
    assert.equal(again.statusCode, 401);
    assert.equal(again.json().code, 'MFA_CODE_INVALID');
    const next = await post('/auth/login/mfa', null, { challengeToken: await challenge(user.email), code: recoveryCodes[1] });
    assert.equal(next.statusCode, 200);
  });

  test('five wrong codes spend the challenge', async () => {
    const { user, recoveryCodes } = await enrolledUser(currentStep());
    const token = await challenge(user.email);
    for (let i = 0; i < 5; i++) {
      const res = await post('/auth/login/mfa', null, { challengeToken: token, code: `zzzzz-zzzz${i}` });
      assert.equal(res.json().code, 'MFA_CODE_INVALID');
    }
    const late = await post('/auth/login/mfa', null, { challengeToken: token, code: recoveryCodes[0] });
    assert.equal(late.statusCode, 401);
    assert.equal(late.json().code, 'MFA_CHALLENGE_INVALID');
  });

  test('recovery codes can be regenerated with a current code; the old ones stop working', async () => {
    const step = currentStep();
    const { user, tokens, secret, recoveryCodes } = await enrolledUser(step);
    const res = await post('/auth/mfa/recovery-codes', tokens.accessToken, { code: codeAt(secret, step + 1) });
    assert.equal(res.statusCode, 200, res.body);
    const fresh = res.json().recoveryCodes as string[];
    assert.equal(fresh.length, 10);
    const old = await post('/auth/login/mfa', null, { challengeToken: await challenge(user.email), code: recoveryCodes[0] });
    assert.equal(old.statusCode, 401);
    const ok = await post('/auth/login/mfa', null, { challengeToken: await challenge(user.email), code: fresh[0] });
    assert.equal(ok.statusCode, 200);
    const replayed = await post('/auth/mfa/recovery-codes', tokens.accessToken, { code: codeAt(secret, step + 1) });
    assert.equal(replayed.statusCode, 403);
    assert.equal(replayed.json().code, 'MFA_CODE_INCORRECT');
  });

  test('disable needs the password and a code; then the password alone logs in again', async () => {
    const { user, tokens, recoveryCodes } = await enrolledUser(currentStep());
    const badPassword = await post('/auth/mfa/disable', tokens.accessToken, { password: 'not the password', code: recoveryCodes[0] });
    assert.equal(badPassword.statusCode, 403);
    assert.equal(badPassword.json().code, 'PASSWORD_INCORRECT');
    const badCode = await post('/auth/mfa/disable', tokens.accessToken, { password: PASSWORD, code: 'aaaaa-aaaaa' });
    assert.equal(badCode.statusCode, 403);
    assert.equal(badCode.json().code, 'MFA_CODE_INCORRECT');
    const ok = await post('/auth/mfa/disable', tokens.accessToken, { password: PASSWORD, code: recoveryCodes[0] });
    assert.equal(ok.statusCode, 204);
    await login(platform, user.email);
    const { rows } = await platform.db.withPlatform((tx) => tx.query('select 1 from users where id = $1 and totp_secret is null and totp_enabled_at is null and recovery_codes = $2', [user.id, []]));
    assert.equal(rows.length, 1);
    const twice = await post('/auth/mfa/disable', tokens.accessToken, { password: PASSWORD, code: recoveryCodes[1] });
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().code, 'MFA_NOT_ENABLED');
  });

  test('MFA routes need a user session', async () => {
    const res = await post('/auth/mfa/enroll', null);
    assert.equal(res.statusCode, 401);
  });
});
