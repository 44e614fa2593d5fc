// The typed registry of workspace settings: key → TypeBox schema + default. Tenancy registers
// the built-in keys; later modules add theirs through `tenancy.registerSetting(...)` from the
// composition root. A value is stored only after it validates against its key's schema.
import { Type } from '@fastify/type-provider-typebox';
import type { TSchema } from '@fastify/type-provider-typebox';
import { Value } from 'typebox/value';

import type { WorkspaceSettingDefinition } from '../../kernel/settings.ts';

export type { WorkspaceSettingDefinition };

export type SettingProblem = { path: string; message: string };

const KEY = /^[a-z][a-z0-9_.]{0,99}$/;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function isLocale(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

export const BUILT_IN_SETTINGS: readonly WorkspaceSettingDefinition[] = [
  {
    key: 'locale',
    description: 'Language and region for mails and the console (BCP 47, e.g. en, fr-FR)',
    schema: Type.String({ pattern: '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$', maxLength: 20 }),
    default: 'en',
    refine: (v) => (isLocale(v as string) ? null : 'is not a known locale'),
  },
  {
    key: 'timezone',
    description: 'IANA time zone used to display dates and schedule jobs (e.g. Europe/Paris)',
    schema: Type.String({ pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$', maxLength: 64 }),
    default: 'UTC',
    refine: (v) => (isTimeZone(v as string) ? null : 'is not a known IANA time zone'),
  },
  {
    key: 'branding.color',
    description: 'Accent color of the console and mails, as #rrggbb',
    schema: Type.String({ pattern: '^#[0-9a-fA-F]{6}$' }),
    default: '#4f46e5',
  },
];

export function createSettingsRegistry(initial: readonly WorkspaceSettingDefinition[] = BUILT_IN_SETTINGS) {
  const definitions = new Map<string, WorkspaceSettingDefinition>();

  function register<T extends TSchema>(definition: WorkspaceSettingDefinition<T>): void {
    if (!KEY.test(definition.key)) throw new Error(`Workspace setting key "${definition.key}" must match ${KEY}`);
    if (definitions.has(definition.key)) throw new Error(`Workspace setting "${definition.key}" is already registered`);
    const def = definition as unknown as WorkspaceSettingDefinition;
    if (validateOne(def, def.default) !== null) throw new Error(`The default of workspace setting "${definition.key}" does not match its schema`);
    definitions.set(definition.key, def);
  }

  function validateOne(def: WorkspaceSettingDefinition, value: unknown): string | null {
    if (!Value.Check(def.schema, value)) {
      const first = [...Value.Errors(def.schema, value)][0];
      return first?.message ?? 'does not match the schema';
    }
    return def.refine ? def.refine(value) : null;
  }

  function defaults(): Record<string, unknown> {
    return Object.fromEntries([...definitions.values()].map((d) => [d.key, structuredClone(d.default)]));
  }

  for (const d of initial) register(d);

  return {
    register,
    has(key: string): boolean {
      return definitions.has(key);
    },
    list(): WorkspaceSettingDefinition[] {
      return [...definitions.values()];
    },
    defaults,
    /**
     * Problems of a settings patch (`null` resets a key to its default). Unknown keys and invalid
     * values are both reported, each with its path.
     */
    validate(patch: Record<string, unknown>): { unknown: SettingProblem[]; invalid: SettingProblem[] } {
      const unknown: SettingProblem[] = [];
      const invalid: SettingProblem[] = [];
      for (const [key, value] of Object.entries(patch)) {
        const def = definitions.get(key);
        if (!def) {
          unknown.push({ path: `body.settings.${key}`, message: 'is not a known setting' });
          continue;
        }
        if (value === null) continue;
        const problem = validateOne(def, value);
        if (problem) invalid.push({ path: `body.settings.${key}`, message: problem });
      }
      return { unknown, invalid };
    },
    /** Stored values over the defaults; stored keys no longer registered are left out. */
    resolve(stored: Record<string, unknown>): Record<string, unknown> {
      const result = defaults();
      for (const [key, value] of Object.entries(stored)) if (definitions.has(key)) result[key] = value;
      return result;
    },
  };
}

export type SettingsRegistry = ReturnType<typeof createSettingsRegistry>;
