// How route schemas validate, one policy for every route:
// - bodies are JSON and keep their types: no coercion (`12345` is not the string "12345", `null`
//   is not `false`); query strings, path parameters and headers are text and are coerced;
// - an unknown query parameter is refused (400), as an unknown body field is;
// - `date-time` is the kernel's one parser (date-time.ts), and a query with both `from` and `to`
//   refuses `from` not before `to`.
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';
import { isDate, parseDateTime } from './date-time.ts';

type Schema = Record<string | symbol, unknown> & { type?: unknown; properties?: Record<string, Schema>; additionalProperties?: unknown; format?: string };
type ValidateFn = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; keyword: string; params: Record<string, unknown>; schemaPath: string }> | null };
type RouteSchemaContext = { schema: Schema; method: string; url: string; httpPart?: string };
type AjvLike = { addFormat(name: string, format: { type: 'string'; validate: (text: string) => boolean }): unknown };

export const UNKNOWN_QUERY_POLICY = 'Unknown query parameters are refused (400 VALIDATION_FAILED), as unknown body fields are.';

function addFormats(ajv: AjvLike): void {
  ajv.addFormat('date-time', { type: 'string', validate: (text) => parseDateTime(text) !== null });
  ajv.addFormat('date', { type: 'string', validate: isDate });
}

/** A query schema closed to unknown parameters (the route's own object is left as it is, for OpenAPI). */
function closeQuery(schema: Schema): Schema {
  if (schema.type !== 'object' || schema.additionalProperties !== undefined) return schema;
  return { ...schema, additionalProperties: false };
}

function isDateTimeProperty(schema: Schema | undefined): boolean {
  if (!schema) return false;
  if (schema.format === 'date-time') return true;
  const anyOf = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  return Array.isArray(anyOf) && anyOf.some((s) => s.format === 'date-time');
}

type Issue = { path: string; message: string };

/** Ajv coerces "1e400" to Infinity and then lets it through `integer` and `maximum`: refused here. */
function nonFiniteNumber(data: unknown): Issue | null {
  if (data === null || typeof data !== 'object') return null;
  for (const [name, value] of Object.entries(data)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'number' && !Number.isFinite(v))) return { path: `/${name}`, message: 'must be a finite number' };
  }
  return null;
}

/** `from` not before `to` (an empty or reversed range), in a query that has both. */
function reversedRange(data: unknown): Issue | null {
  const { from, to } = (data ?? {}) as { from?: unknown; to?: unknown };
  if (typeof from === 'string' && typeof to === 'string') {
    const start = parseDateTime(from);
    const end = parseDateTime(to);
    if (start && end && start.getTime() >= end.getTime()) return { path: '/from', message: 'must be before to (to is exclusive)' };
  }
  return null;
}

/** A coerced part's validator, with the checks ajv can't express, refused like any schema error. */
function withChecks(validate: ValidateFn, checks: Array<(data: unknown) => Issue | null>): ValidateFn {
  const checked: ValidateFn = (data) => {
    if (!validate(data)) {
      checked.errors = validate.errors;
      return false;
    }
    checked.errors = null;
    for (const check of checks) {
      const issue = check(data);
      if (issue) {
        checked.errors = [{ instancePath: issue.path, message: issue.message, keyword: 'atrium', params: {}, schemaPath: '#' }];
        return false;
      }
    }
    return true;
  };
  return checked;
}

type ExternalSchemas = Parameters<AjvCompiler.BuildCompilerFromPool>[0];
type CompilerOptions = { customOptions?: Record<string, unknown> } | undefined;
type PooledCompiler = (context: RouteSchemaContext) => ValidateFn;

function pooled(externalSchemas: ExternalSchemas, options: CompilerOptions, coerceTypes: 'array' | false): PooledCompiler {
  const build = AjvCompiler() as unknown as (schemas: ExternalSchemas, opts: Record<string, unknown>) => PooledCompiler;
  return build(externalSchemas, { ...options, onCreate: addFormats, customOptions: { ...options?.customOptions, coerceTypes } });
}

export const schemaController: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildValidator: ((externalSchemas: ExternalSchemas, options: CompilerOptions) => {
      const coercing = pooled(externalSchemas, options, 'array');
      const strict = pooled(externalSchemas, options, false);
      return (context: RouteSchemaContext): ValidateFn => {
        if (context.httpPart === 'body') return strict(context);
        if (context.httpPart !== 'querystring') return withChecks(coercing(context), [nonFiniteNumber]);
        const schema = closeQuery(context.schema);
        const properties = schema.properties ?? {};
        const hasRange = isDateTimeProperty(properties.from) && isDateTimeProperty(properties.to);
        return withChecks(coercing({ ...context, schema }), hasRange ? [nonFiniteNumber, reversedRange] : [nonFiniteNumber]);
      };
    }) as unknown as AjvCompiler.BuildCompilerFromPool,
  },
};
