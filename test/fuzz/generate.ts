// Requests generated from the app's own OpenAPI document, with fast-check: for an operation, a
// valid-ish request built from its schemas (known ids mixed with random ones), or that request
// with one thing made hostile — text PostgreSQL can't hold, invalid UTF-8, huge or boundary
// numbers, odd dates, wrong types, deep or wide JSON, missing and unknown fields, a wrong
// content type. Valid-ish: a pattern or a cross-field rule may still refuse it, which is fine;
// the properties hold for every answer.
import fc from 'fast-check';

export type JsonSchema = {
  type?: string | string[]; format?: string; enum?: unknown[]; const?: unknown; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>; required?: string[]; additionalProperties?: boolean | JsonSchema; items?: JsonSchema;
  minLength?: number; maxLength?: number; pattern?: string; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number;
  minItems?: number; maxItems?: number; default?: unknown; minProperties?: number; patternProperties?: Record<string, JsonSchema>;
};

export type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: JsonSchema };

/** A value written into a URL as it is, not percent-encoded (to send bytes that are not UTF-8). */
export type Raw = { raw: string };
const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && 'raw' in v && Object.keys(v).length === 1;

export type GeneratedRequest = {
  method: string;
  path: string;
  query: Array<[string, unknown]>;
  contentType: string | null;
  body: string | Buffer | null;
  headers: Record<string, string>;
  /** What was made hostile, for the failure report. */
  hostility: string;
};

// ---- hostile values -------------------------------------------------------------------------

export const hostileStrings: fc.Arbitrary<string> = fc.constantFrom(
  '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\ud83d', '', ' ', '\t\n', '😀', '\u202e\u0301', 'x'.repeat(10_001),
  '0000-01-01T00:00:00Z', '2016-12-31T23:59:60Z', '2026-01-01T00:00:00+16:00', '9999-12-31T23:59:59-15:59', '10000-01-01T00:00:00Z', '2026-02-30T00:00:00Z',
  '-1', '0', '2147483648', '9223372036854775808', '1e400', 'NaN', 'Infinity', 'null', 'true', '[]', '{}',
  '../../etc/passwd', "' or 1=1 --", '<script>alert(1)</script>', '%00', '${jndi:x}', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
);

export const hostileNumbers: fc.Arbitrary<number> = fc.constantFrom(
  -1, 0, -0, 0.5, 2147483647, 2147483648, -2147483649, 2 ** 53, -(2 ** 53), 2 ** 63, 1e308, -1e308, Number.MIN_VALUE, 32768, 65536,
);

const rawUrlTokens: fc.Arbitrary<Raw> = fc.constantFrom<Raw>(
  { raw: '%FF' }, { raw: '%C3%28' }, { raw: '%ED%A0%80' }, { raw: '%00' }, { raw: '%zz' }, { raw: '%' }, { raw: 'a%2Fb' }, { raw: '..%2F..' },
);

function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Any value of another type than expected, or hostile of its own type. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileStrings,
  hostileNumbers,
  fc.constantFrom(null, true, false, [], {}, [null], { '': null }, { '\u0000': 1 }, JSON.parse('{"__proto__":{"isAdmin":true}}'), { constructor: { prototype: { x: 1 } } }),
  fc.array(fc.constant('x'), { minLength: 1000, maxLength: 1000 }),
  fc.jsonValue({ maxDepth: 4 }),
);

// ---- valid-ish values from a schema ----------------------------------------------------------

export type Context = { knownIds: string[]; knownNames: string[] };

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  return [];
}

export function fromSchema(schema: JsonSchema, ctx: Context, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => fromSchema(s, ctx, depth)));
  if (schema.allOf?.length) return fromSchema(Object.assign({}, ...schema.allOf), ctx, depth);
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((t) => fromSchema({ ...schema, type: t }, ctx, depth)));
  switch (types[0]) {
    case 'string': return stringOf(schema, ctx);
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 100_000);
      return fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) });
    }
    case 'number': return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': {
      const items = schema.items ? fromSchema(schema.items, ctx, depth + 1) : fc.jsonValue({ maxDepth: 2 });
      return fc.array(items, { minLength: schema.minItems ?? 0, maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4)) });
    }
    case 'object': return objectOf(schema, ctx, depth);
    default: return fc.jsonValue({ maxDepth: 3 });
  }
}

function stringOf(schema: JsonSchema, ctx: Context): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, Math.max(min, 40));
  switch (schema.format) {
    case 'uuid': return ctx.knownIds.length ? fc.oneof(fc.constantFrom(...ctx.knownIds), fc.uuid()) : fc.uuid();
    case 'date-time': return fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date': return fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'email': return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 254));
    case 'uri': case 'url': return fc.webUrl();
  }
  const names = ctx.knownNames.filter((n) => n.length >= min && n.length <= (schema.maxLength ?? Infinity));
  const free = fc.oneof(
    fc.string({ minLength: min, maxLength: max }),
    fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }),
    ...(names.length ? [fc.constantFrom(...names)] : []),
  );
  if (!schema.pattern) return free;
  let pattern: RegExp;
  try {
    pattern = new RegExp(schema.pattern, 'u');
  } catch {
    return free;
  }
  const matching = fc.stringMatching(pattern).map((s) => s.slice(0, schema.maxLength ?? s.length));
  return fc.oneof({ arbitrary: matching, weight: 3 }, { arbitrary: free, weight: 1 });
}

function objectOf(schema: JsonSchema, ctx: Context, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  if (Object.keys(properties).length === 0) {
    if (depth > 3) return fc.constant({});
    // A record with key patterns (TypeBox's Type.Record(Type.String({ pattern }), …)): keys that match.
    const [keyPattern, valueSchema] = Object.entries(schema.patternProperties ?? {})[0] ?? [];
    if (keyPattern !== undefined) {
      const keys = fc.stringMatching(new RegExp(keyPattern, 'u'));
      return fc.dictionary(fc.oneof({ arbitrary: keys, weight: 3 }, { arbitrary: fc.string({ minLength: 1, maxLength: 12 }), weight: 1 }), fromSchema(valueSchema, ctx, depth + 1), { maxKeys: 4 });
    }
    const values = typeof schema.additionalProperties === 'object' ? fromSchema(schema.additionalProperties, ctx, depth + 1) : fc.jsonValue({ maxDepth: 2 });
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), values, { maxKeys: 4 });
  }
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, prop] of Object.entries(properties)) model[name] = fromSchema(prop, ctx, depth + 1);
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) }) as fc.Arbitrary<Record<string, unknown>>;
}

// ---- one hostile change to a valid-ish value ------------------------------------------------

type Slot = { parent: Record<string, unknown> | unknown[] | null; key: string | number | null };

function slotsOf(value: unknown): Slot[] {
  const slots: Slot[] = [{ parent: null, key: null }];
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    for (const [k, v] of Object.entries(node)) {
      slots.push({ parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(k) : k });
      stack.push(v);
    }
  }
  return slots;
}

type Mutation = { kind: 'replace'; value: unknown } | { kind: 'remove' } | { kind: 'add'; name: string; value: unknown };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: hostileJson.map((value) => ({ kind: 'replace' as const, value })), weight: 6 },
  { arbitrary: fc.constant({ kind: 'remove' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('add' as const), name: fc.oneof(fc.constantFrom('workspaceId', 'id', 'isAdmin', 'role', '\u0000', '\ud800'), fc.string({ maxLength: 8 })), value: hostileJson }), weight: 1 },
);

function mutate(value: unknown, pick: number, mutation: Mutation): { value: unknown; where: string } {
  const copy = structuredClone(value);
  const slots = slotsOf(copy);
  const slot = slots[pick % slots.length];
  if (slot.parent === null) {
    if (mutation.kind === 'replace') return { value: mutation.value, where: 'the whole value replaced' };
    if (mutation.kind === 'add' && copy !== null && typeof copy === 'object' && !Array.isArray(copy)) {
      (copy as Record<string, unknown>)[mutation.name] = mutation.value;
      return { value: copy, where: `unknown field ${JSON.stringify(mutation.name)} added` };
    }
    return { value: undefined, where: 'removed' };
  }
  const container = slot.parent as Record<string | number, unknown>;
  const key = slot.key as string | number;
  if (mutation.kind === 'replace') container[key] = mutation.value;
  else if (mutation.kind === 'remove') {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key];
  } else if (!Array.isArray(container)) container[mutation.name] = mutation.value;
  return { value: copy, where: `${mutation.kind} at ${String(key)}` };
}

/** A value from the schema, or that value with one hostile change. */
export function valueArb(schema: JsonSchema | undefined, ctx: Context): fc.Arbitrary<{ value: unknown; hostility: string | null }> {
  const valid = (schema ? fromSchema(schema, ctx) : fc.constant(undefined)).map((value) => ({ value, hostility: null as string | null }));
  const hostile = fc.tuple(schema ? fromSchema(schema, ctx) : fc.constant({}), fc.nat(), mutationArb).map(([value, pick, m]) => {
    const changed = mutate(value, pick, m);
    return { value: changed.value, hostility: changed.where };
  });
  return fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: hostile, weight: 3 });
}

// ---- whole requests ------------------------------------------------------------------------

type Operation = { method: string; path: string; parameters: Parameter[]; bodySchema: JsonSchema | undefined };

function paramArb(p: Parameter, ctx: Context): fc.Arbitrary<{ value: unknown; hostility: string | null }> {
  const valid = fromSchema(p.schema, ctx).map((value) => ({ value, hostility: null as string | null }));
  const hostile = fc.oneof(
    hostileStrings.map((s) => ({ value: s as unknown, hostility: `${p.in} ${p.name}: hostile text` })),
    hostileNumbers.map((n) => ({ value: String(n) as unknown, hostility: `${p.in} ${p.name}: boundary number` })),
    rawUrlTokens.map((r) => ({ value: r as unknown, hostility: `${p.in} ${p.name}: raw ${r.raw}` })),
    fc.constant({ value: 'x'.repeat(300) as unknown, hostility: `${p.in} ${p.name}: 300 characters` }),
  );
  return fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: hostile, weight: 1 });
}

/** A path segment that stays one segment of this route: '' would drop it, '.' and '..' (even as %2E) would be resolved away by the URL parser. */
function encodePathValue(value: unknown): string {
  if (isRaw(value)) return value.raw;
  const text = encodeText(String(value));
  if (text === '') return '-';
  return /^\.{1,2}$/.test(text) ? `${text}x` : text;
}

/** Percent-encodes any JS string, lone surrogates included (as the bytes a careless encoder would send). */
export function encodeText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

export function queryString(query: Array<[string, unknown]>): string {
  const parts: string[] = [];
  for (const [name, value] of query) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      const text = isRaw(v) ? v.raw : encodeText(typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));
      parts.push(`${encodeText(name)}=${text}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

const bodyShapes = fc.oneof(
  { arbitrary: fc.constant('json' as const), weight: 12 },
  { arbitrary: fc.constantFrom('deep-array' as const, 'deep-object' as const, 'invalid-utf8' as const, 'malformed' as const, 'text-plain' as const, 'form' as const, 'none' as const, 'huge' as const), weight: 2 },
);

export function requestArb(op: Operation, ctx: Context): fc.Arbitrary<GeneratedRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const pathArb = fc.tuple(...pathParams.map((p) => paramArb(p, ctx)));
  const queryArb = fc.tuple(...queryParams.map((p) => fc.option(paramArb(p, ctx), { nil: undefined, freq: p.required ? 10 : 2 })));
  const extraQuery = fc.option(fc.tuple(fc.oneof(fc.constantFrom('workspaceId', 'limit', 'x', '\u0000'), fc.string({ maxLength: 6 })), hostileStrings), { freq: 6, nil: null });
  const hasBody = op.method !== 'GET' && op.method !== 'HEAD';
  const bodyArb = hasBody ? valueArb(op.bodySchema ?? { type: 'object' }, ctx) : fc.constant({ value: undefined, hostility: null as string | null });
  const idempotency = fc.option(fc.oneof(fc.uuid(), hostileStrings.filter((s) => s.length < 1000 && [...s].every((c) => c >= ' ' && c <= '~'))), { freq: 4, nil: null });
  return fc.record({ path: pathArb, query: queryArb, extra: extraQuery, body: bodyArb, shape: hasBody ? bodyShapes : fc.constant('none' as const), depth: fc.constantFrom(65, 1000, 50_000), idempotency })
    .map(({ path, query, extra, body, shape, depth, idempotency }) => {
      const hostility: string[] = [];
      let url = op.path;
      pathParams.forEach((p, i) => {
        url = url.replace(`{${p.name}}`, encodePathValue(path[i].value));
        if (path[i].hostility) hostility.push(path[i].hostility!);
      });
      const q: Array<[string, unknown]> = [];
      queryParams.forEach((p, i) => {
        const v = query[i];
        if (v === undefined) return;
        q.push([p.name, v.value]);
        if (v.hostility) hostility.push(v.hostility);
      });
      if (extra) {
        q.push(extra);
        hostility.push(`unknown query parameter ${JSON.stringify(extra[0])}`);
      }
      if (body.hostility) hostility.push(`body: ${body.hostility}`);
      const headers: Record<string, string> = {};
      if (idempotency) headers['idempotency-key'] = idempotency;
      let contentType: string | null = 'application/json';
      let payload: string | Buffer | null = null;
      switch (shape) {
        case 'json': payload = body.value === undefined ? null : JSON.stringify(body.value); if (payload === null) contentType = null; break;
        case 'deep-array': payload = `{"a":${deepJson(depth, 'array')}}`; hostility.push(`body nested ${depth} levels`); break;
        case 'deep-object': payload = deepJson(depth, 'object'); hostility.push(`body nested ${depth} levels`); break;
        case 'invalid-utf8': payload = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]); hostility.push('body not UTF-8'); break;
        case 'malformed': payload = '{"a":'; hostility.push('malformed JSON'); break;
        case 'text-plain': payload = JSON.stringify(body.value ?? {}); contentType = 'text/plain'; hostility.push('text/plain'); break;
        case 'form': payload = 'a=1&b=2'; contentType = 'application/x-www-form-urlencoded'; hostility.push('form body'); break;
        case 'huge': payload = JSON.stringify({ a: 'x'.repeat(1024 * 1024 + 10) }); hostility.push('body over 1 MiB'); break;
        case 'none': contentType = null; break;
      }
      return { method: op.method, path: url, query: q, contentType, body: payload, headers, hostility: hostility.join('; ') || 'none' };
    });
}
