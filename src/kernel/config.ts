// The one place that reads process.env. Everything else receives a validated Config.
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export type Config = {
  /** External PostgreSQL, or undefined for the embedded default. */
  databaseUrl: string | undefined;
  /** Optional explicit URL for the request role (otherwise derived from databaseUrl). */
  appDatabaseUrl: string | undefined;
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
  /** Fastify trustProxy: false (default), a hop count, or addresses/CIDRs of trusted proxies. */
  trustProxy: boolean | number | string[];
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
  };
}
