// The one place that reads process.env. Everything else receives a validated Config.
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, linkSync, unlinkSync } from 'node:fs';
import { isCurrency } from './currency.ts';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';

export type Config = {
  /** External PostgreSQL, or undefined for the embedded default. */
  databaseUrl: string | undefined;
  /** Optional explicit URL for the request role (otherwise derived from databaseUrl). */
  appDatabaseUrl: string | undefined;
  /**
   * Behind a connection pooler (ATRIUM_DATABASE_POOLER=transaction: PgBouncer in transaction
   * mode), DATABASE_URL is the pooler and DATABASE_DIRECT_URL (the same owner role, straight to
   * PostgreSQL) carries what a pooled connection cannot: LISTEN, migrations' session lock, backups.
   */
  database: { pooler: 'none' | 'transaction'; directUrl: string | undefined };
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  /** Root secret from which signing keys and the request role's password are derived. */
  secret: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  isProduction: boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  embeddedPgPort: number;
  dbPoolMax: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** Workflow builds (issue 15): the bare repository (ATRIUM_BUILDS_REPO, default `<dataDir>/builds.git`) and a remote each build is pushed to (ATRIUM_BUILDS_REMOTE). */
  builds: { repository: string; remote: string | undefined };
  /** Fastify trustProxy: false (default), a hop count, or addresses/CIDRs of trusted proxies. */
  trustProxy: boolean | number | string[];
  /** Requests per minute per workspace and per API key, by plan (ATRIUM_RATE_LIMIT_*; docs/adr/0008). */
  rateLimits: { free: number; pro: number; enterprise: number };
  /** Wraps the secrets vault's data keys (ATRIUM_MASTER_KEY / _FILE, or `<dataDir>/master.key` in the embedded default). */
  masterKey: MasterKey;
  /** The master key before a rotation (ATRIUM_MASTER_KEY_PREVIOUS / _FILE), for `atrium keys rotate`. */
  previousMasterKey: MasterKey | undefined;
  /** Where /metrics is served alone (ATRIUM_METRICS_ADDRESS, default 127.0.0.1:9464; null: `off`). */
  metricsAddress: { host: string; port: number } | null;
  /** ATRIUM_METRICS_TOKEN: also serve /metrics on the API's port to this bearer token. */
  metricsToken: string | undefined;
  /** ATRIUM_METRICS_TOP_WORKSPACES: how many workspaces (the busiest) get their id as a metrics label; the rest are "other". */
  metricsTopWorkspaces: number;
  /** ATRIUM_BACKUP_KEY: seals `atrium backup` files (32 bytes, base64); unset, a key derived from the master key. */
  backupKey: string | undefined;
  /** A graceful stop's first step: /readyz answers 503 this long before the API stops accepting (ATRIUM_DRAIN_SECONDS; default 5 in production, 0 otherwise). */
  drainSeconds: number;
  /** OpenTelemetry traces over OTLP/HTTP (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER_ARG); null: off. */
  tracing: { endpoint: string; headers: Record<string, string>; serviceName: string; sampleRatio: number } | null;
  /** ISO 4217 currency of workflow prices and revenue (ATRIUM_CURRENCY, default EUR). */
  currency: string;
  /** Request limits: largest body (ATRIUM_BODY_LIMIT, bytes) and deepest JSON (ATRIUM_JSON_MAX_DEPTH). */
  limits: { bodyLimit: number; maxJsonDepth: number };
  /** Outbound webhooks (ATRIUM_WEBHOOK_*): attempts, backoff, timeout, and when to disable a failing subscription. */
  webhooks: { maxAttempts: number; backoffBaseMs: number; backoffMaxMs: number; timeoutMs: number; disableAfterFailures: number };
};

/**
 * A 32-byte master key. `id` is a fingerprint stored beside what the key wraps, so the right key
 * is picked without storing it. The key bytes are not enumerable: a logged or serialized config
 * never shows them.
 */
export type MasterKey = {
  readonly id: string;
  readonly key: Buffer;
  /** env: the variable; file: a key file; data-dir: `<dataDir>/master.key`; generated: just written there. */
  readonly source: 'env' | 'file' | 'data-dir' | 'generated';
  readonly file: string | undefined;
};

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.variable = variable;
  }
}

type Env = Record<string, string | undefined>;

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** The OpenTelemetry SDK's standard variables, for traces (https://opentelemetry.io/docs/specs/otel/protocol/exporter/). */
function readTracing(env: Env): Config['tracing'] {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return null;
  const traces = readUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:']);
  const base = readUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  if (!traces && !base) return null;
  const endpoint = traces ?? `${base!.replace(/\/+$/, '')}/v1/traces`;
  const headers: Record<string, string> = {};
  for (const pair of (env.OTEL_EXPORTER_OTLP_TRACES_HEADERS || env.OTEL_EXPORTER_OTLP_HEADERS || '').split(',')) {
    if (!pair.trim()) continue;
    const at = pair.indexOf('=');
    if (at <= 0) throw new ConfigError('OTEL_EXPORTER_OTLP_HEADERS', 'must be key=value pairs separated by commas');
    try {
      headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      throw new ConfigError('OTEL_EXPORTER_OTLP_HEADERS', 'has a badly percent-encoded key or value');
    }
  }
  const ratioText = env.OTEL_TRACES_SAMPLER_ARG || '1';
  const sampleRatio = Number(ratioText);
  if (!/^\d*\.?\d+$/.test(ratioText) || !(sampleRatio >= 0 && sampleRatio <= 1)) throw new ConfigError('OTEL_TRACES_SAMPLER_ARG', `must be a ratio between 0 and 1, got "${ratioText}"`);
  return { endpoint, headers, serviceName: env.OTEL_SERVICE_NAME || 'atrium', sampleRatio };
}

function readPooler(env: Env): Config['database'] {
  const pooler = env.ATRIUM_DATABASE_POOLER || 'none';
  if (pooler !== 'none' && pooler !== 'transaction') throw new ConfigError('ATRIUM_DATABASE_POOLER', `must be "none" or "transaction" (PgBouncer's pool_mode), got "${pooler}"`);
  const directUrl = readUrl(env, 'DATABASE_DIRECT_URL', ['postgres:', 'postgresql:']);
  if (pooler === 'transaction') {
    if (!readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:'])) throw new ConfigError('ATRIUM_DATABASE_POOLER', 'needs DATABASE_URL (the pooler\'s address): the embedded PostgreSQL has no pooler');
    if (!directUrl) throw new ConfigError('DATABASE_DIRECT_URL', 'is required with ATRIUM_DATABASE_POOLER=transaction: LISTEN, migrations and backups need a connection of their own, straight to PostgreSQL');
  }
  return { pooler, directUrl };
}

function readUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${url.protocol}`);
  }
  return raw;
}

function readEmail(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw)) throw new ConfigError(name, `is not an email address: "${raw}"`);
  return raw;
}

/** Off by default: otherwise any client could pick its own address with X-Forwarded-For. */
function readTrustProxy(env: Env): boolean | number | string[] {
  const raw = env.ATRIUM_TRUST_PROXY;
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.every((a) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a))) return list;
  throw new ConfigError('ATRIUM_TRUST_PROXY', 'must be true, false, a hop count, or a comma-separated list of proxy addresses/CIDRs');
}

function readMetricsAddress(env: Env): Config['metricsAddress'] {
  const raw = env.ATRIUM_METRICS_ADDRESS;
  if (raw === 'off') return null;
  if (raw === undefined || raw === '') return { host: '127.0.0.1', port: 9464 };
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new ConfigError('ATRIUM_METRICS_ADDRESS', `must be host:port, a port, or off; got "${raw}"`);
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

function readCurrency(env: Env): string {
  const raw = env.ATRIUM_CURRENCY;
  if (raw === undefined || raw === '') return 'EUR';
  if (!isCurrency(raw)) throw new ConfigError('ATRIUM_CURRENCY', `must be an ISO 4217 code in upper case (EUR, USD, JPY…); got "${raw}"`);
  return raw;
}

function readMetricsToken(env: Env): string | undefined {
  const raw = env.ATRIUM_METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16) throw new ConfigError('ATRIUM_METRICS_TOKEN', 'must be at least 16 characters');
  return raw;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Secret from ATRIUM_SECRET, or generated once under the data dir in the embedded default. */
function resolveSecret(env: Env, dataDir: string, isProduction: boolean): string {
  const raw = env.ATRIUM_SECRET;
  if (raw !== undefined && raw !== '') {
    if (raw.length < 32) throw new ConfigError('ATRIUM_SECRET', 'must be at least 32 characters');
    return raw;
  }
  if (isProduction) throw new ConfigError('ATRIUM_SECRET', 'is required when NODE_ENV=production');
  const file = path.join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

const MASTER_KEY_HINT = 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)';

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('atrium:master-key-id:v1').update(key).digest('hex').slice(0, 16);
}

function toMasterKey(key: Buffer, source: MasterKey['source'], file: string | undefined): MasterKey {
  const masterKey = { id: masterKeyId(key), source, file } as MasterKey;
  Object.defineProperty(masterKey, 'key', { value: key, enumerable: false });
  return masterKey;
}

function decodeMasterKey(raw: string, variable: string): Buffer {
  const text = raw.trim();
  const key = /^[A-Za-z0-9+/_-]{43}=?$/.test(text) ? Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new ConfigError(variable, MASTER_KEY_HINT);
  return key;
}

/** A master key from a file (a key file variable, or the `--previous-key-file` flag of `atrium keys rotate`). */
export function readMasterKeyFile(file: string, variable: string): MasterKey {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(variable, `names a file that can't be read (${(err as NodeJS.ErrnoException).code ?? 'error'}: ${file})`);
  }
  return toMasterKey(decodeMasterKey(raw, variable), 'file', path.resolve(file));
}

/** `<NAME>` (base64) or `<NAME>_FILE` (a file holding it); at most one of the two. */
function readMasterKeyVariable(env: Env, name: string): MasterKey | undefined {
  const raw = env[name];
  const file = env[`${name}_FILE`];
  const hasValue = raw !== undefined && raw !== '';
  const hasFile = file !== undefined && file !== '';
  if (hasValue && hasFile) throw new ConfigError(name, `and ${name}_FILE are both set; set only one`);
  if (hasValue) return toMasterKey(decodeMasterKey(raw, name), 'env', undefined);
  if (hasFile) return readMasterKeyFile(file, `${name}_FILE`);
  return undefined;
}

/**
 * The vault's master key. Embedded default: generated once into `<dataDir>/master.key` (0600).
 * The file is written aside and hard-linked into place, so two processes starting together agree
 * on one key and nobody reads a half-written file.
 */
function resolveMasterKey(env: Env, dataDir: string, isProduction: boolean): MasterKey {
  const configured = readMasterKeyVariable(env, 'ATRIUM_MASTER_KEY');
  if (configured) return configured;
  if (isProduction) throw new ConfigError('ATRIUM_MASTER_KEY', 'is required when NODE_ENV=production (or ATRIUM_MASTER_KEY_FILE)');
  const file = path.join(dataDir, 'master.key');
  if (existsSync(file)) return toMasterKey(decodeMasterKey(readFileSync(file, 'utf8'), file), 'data-dir', file);
  mkdirSync(dataDir, { recursive: true });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  chmodSync(aside, 0o600);
  let isCreated = true;
  try {
    linkSync(aside, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    isCreated = false;
  } finally {
    unlinkSync(aside);
  }
  return toMasterKey(decodeMasterKey(readFileSync(file, 'utf8'), file), isCreated ? 'generated' : 'data-dir', file);
}

function resolveMasterKeys(env: Env, dataDir: string, isProduction: boolean): Pick<Config, 'masterKey' | 'previousMasterKey'> {
  const masterKey = resolveMasterKey(env, dataDir, isProduction);
  return { masterKey, previousMasterKey: resolvePreviousMasterKey(env, masterKey) };
}

function resolvePreviousMasterKey(env: Env, current: MasterKey): MasterKey | undefined {
  const previous = readMasterKeyVariable(env, 'ATRIUM_MASTER_KEY_PREVIOUS');
  if (previous && previous.id === current.id) throw new ConfigError('ATRIUM_MASTER_KEY_PREVIOUS', 'is the same key as the current master key');
  return previous;
}

/** ATRIUM_RATE_LIMIT_DEFAULT (100, brief 002) for every plan, unless ATRIUM_RATE_LIMIT_<PLAN> says otherwise. */
function readRateLimits(env: Env): Config['rateLimits'] {
  const fallback = readInt(env, 'ATRIUM_RATE_LIMIT_DEFAULT', 100, 1, 1_000_000_000);
  return {
    free: readInt(env, 'ATRIUM_RATE_LIMIT_FREE', fallback, 1, 1_000_000_000),
    pro: readInt(env, 'ATRIUM_RATE_LIMIT_PRO', fallback, 1, 1_000_000_000),
    enterprise: readInt(env, 'ATRIUM_RATE_LIMIT_ENTERPRISE', fallback, 1, 1_000_000_000),
  };
}

export function loadConfig(env: Env = process.env, options: { loadDotenv?: boolean } = {}): Config {
  if (options.loadDotenv !== false && env === process.env && existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const nodeEnv = env.NODE_ENV ?? 'development';
  const isProduction = nodeEnv === 'production';
  const dataDir = path.resolve(env.ATRIUM_DATA_DIR || '.atrium');
  const port = readInt(env, 'PORT', 3000, 0, 65535);
  const host = env.ATRIUM_HOST || '0.0.0.0';
  const logLevel = (env.ATRIUM_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('ATRIUM_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const adminPassword = env.ATRIUM_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 10) {
    throw new ConfigError('ATRIUM_ADMIN_PASSWORD', 'must be at least 10 characters');
  }
  return {
    databaseUrl: readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    appDatabaseUrl: readUrl(env, 'ATRIUM_APP_DATABASE_URL', ['postgres:', 'postgresql:']),
    database: readPooler(env),
    port,
    host,
    dataDir,
    publicUrl: readUrl(env, 'ATRIUM_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    secret: resolveSecret(env, dataDir, isProduction),
    logLevel,
    isProduction,
    smtpUrl: readUrl(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: readEmail(env, 'ATRIUM_MAIL_FROM') ?? 'atrium@localhost.localdomain',
    adminEmail: readEmail(env, 'ATRIUM_ADMIN_EMAIL'),
    adminPassword,
    embeddedPgPort: readInt(env, 'ATRIUM_EMBEDDED_PG_PORT', 54329, 1024, 65535),
    dbPoolMax: readInt(env, 'ATRIUM_DB_POOL_MAX', 10, 1, 500),
    accessTokenTtlSeconds: readInt(env, 'ATRIUM_ACCESS_TOKEN_TTL', 900, 60, 86400),
    refreshTokenTtlDays: readInt(env, 'ATRIUM_REFRESH_TOKEN_TTL_DAYS', 30, 1, 365),
    trustProxy: readTrustProxy(env),
    rateLimits: readRateLimits(env),
    metricsAddress: readMetricsAddress(env),
    metricsToken: readMetricsToken(env),
    metricsTopWorkspaces: readInt(env, 'ATRIUM_METRICS_TOP_WORKSPACES', 20, 0, 200),
    currency: readCurrency(env),
    tracing: readTracing(env),
    backupKey: env.ATRIUM_BACKUP_KEY || undefined,
    drainSeconds: readInt(env, 'ATRIUM_DRAIN_SECONDS', isProduction ? 5 : 0, 0, 120),
    builds: {
      repository: env.ATRIUM_BUILDS_REPO ? path.resolve(env.ATRIUM_BUILDS_REPO) : path.join(dataDir, 'builds.git'),
      remote: readUrl(env, 'ATRIUM_BUILDS_REMOTE', ['https:', 'ssh:', 'git:', 'file:']),
    },
    limits: {
      bodyLimit: readInt(env, 'ATRIUM_BODY_LIMIT', 1024 * 1024, 1024, 100 * 1024 * 1024),
      maxJsonDepth: readInt(env, 'ATRIUM_JSON_MAX_DEPTH', 64, 2, 1000),
    },
    webhooks: {
      maxAttempts: readInt(env, 'ATRIUM_WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
      backoffBaseMs: readInt(env, 'ATRIUM_WEBHOOK_BACKOFF_BASE_MS', 600_000, 1, 86_400_000),
      backoffMaxMs: readInt(env, 'ATRIUM_WEBHOOK_BACKOFF_MAX_MS', 43_200_000, 1, 604_800_000),
      timeoutMs: readInt(env, 'ATRIUM_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      disableAfterFailures: readInt(env, 'ATRIUM_WEBHOOK_DISABLE_AFTER', 10, 1, 10_000),
    },
    ...resolveMasterKeys(env, dataDir, isProduction),
  };
}
