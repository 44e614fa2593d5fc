import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@fastify/type-provider-typebox';
import { createSettingsRegistry } from './settings.registry.ts';

test('built-in keys have defaults', () => {
  const registry = createSettingsRegistry();
  assert.deepEqual(registry.defaults(), { locale: 'en', timezone: 'UTC', 'branding.color': '#4f46e5' });
});

test('validate: unknown keys and invalid values are reported with their path; null resets', () => {
  const registry = createSettingsRegistry();
  assert.deepEqual(registry.validate({ locale: 'fr-FR', timezone: 'Europe/Paris', 'branding.color': '#00AA11' }), { unknown: [], invalid: [] });
  assert.deepEqual(registry.validate({ locale: null }), { unknown: [], invalid: [] });
  const result = registry.validate({ theme: 'dark', timezone: 'Mars/Olympus_Mons', 'branding.color': 'red', locale: 42 });
  assert.deepEqual(result.unknown, [{ path: 'body.settings.theme', message: 'is not a known setting' }]);
  assert.deepEqual(result.invalid.map((p) => p.path), ['body.settings.timezone', 'body.settings.branding.color', 'body.settings.locale']);
  assert.match(result.invalid[0].message, /time zone/);
});

test('later modules register their keys; duplicates, bad keys and invalid defaults are refused', () => {
  const registry = createSettingsRegistry();
  registry.register({ key: 'memory.retention_days', description: 'days', schema: Type.Integer({ minimum: 1, maximum: 3650 }), default: 90 });
  assert.equal(registry.defaults()['memory.retention_days'], 90);
  assert.deepEqual(registry.validate({ 'memory.retention_days': 0 }).invalid.length, 1);
  assert.throws(() => registry.register({ key: 'locale', description: '', schema: Type.String(), default: 'x' }), /already registered/);
  assert.throws(() => registry.register({ key: 'Bad Key', description: '', schema: Type.String(), default: 'x' }), /must match/);
  assert.throws(() => registry.register({ key: 'n', description: '', schema: Type.Integer({ minimum: 5 }), default: 1 }), /default/);
});

test('resolve lays stored values over the defaults and drops keys no longer registered', () => {
  const registry = createSettingsRegistry();
  assert.deepEqual(registry.resolve({ timezone: 'Asia/Tokyo', retired: true }), { locale: 'en', timezone: 'Asia/Tokyo', 'branding.color': '#4f46e5' });
});
