// Hostile input stops at the edge, once, for every route, before authentication and validation:
// text PostgreSQL cannot hold (NUL), text that is not Unicode (lone surrogates, invalid UTF-8)
// and JSON nested deeper than anything walks safely. No handler, store or log writer sees it.
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { kernelErrors } from '../errors.ts';
import type { AppError } from '../errors.ts';
import { sendProblem } from './errors.ts';

/** Set on a parsed query string whose percent-encoding is not UTF-8: the name of the first bad parameter. */
const INVALID_QUERY = Symbol('atrium.invalidQuery');

type Query = Record<string, string | string[]> & { [INVALID_QUERY]?: string };

function decode(text: string): string | null {
  const plussed = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!plussed.includes('%')) return plussed;
  try {
    return decodeURIComponent(plussed);
  } catch {
    return null; // malformed percent-encoding, or bytes that are not UTF-8 (an encoded surrogate included)
  }
}

/**
 * The query string parser of the app: as fast-querystring (repeated names become arrays), but a
 * value or name whose percent-encoding is not UTF-8 is marked, not passed on as literal `%FF`.
 */
export function parseQuerystring(text: string): Query {
  const query = Object.create(null) as Query;
  if (text.length === 0) return query;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const name = decode(rawName);
    const value = decode(eq === -1 ? '' : pair.slice(eq + 1));
    if (name === null || value === null) {
      query[INVALID_QUERY] ??= (name ?? rawName).slice(0, 100);
      continue;
    }
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[name] = [existing, value];
  }
  return query;
}

export type TextFault = { path: string; reason: string; isDepth?: boolean };

function textFault(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  if (!text.isWellFormed()) return 'contains a lone surrogate: it is not Unicode text';
  return null;
}

/** Deeper than this, the quick check hands over to the iterative walk (no deep recursion). */
const QUICK_DEPTH = 1000;

/**
 * Whether `findTextFault` would find anything: a recursive walk that builds no path and
 * allocates nothing, run first on every input (bodies, headers, query strings) — the common case
 * has no fault, and only a faulty input pays for the walk that names the path.
 */
function hasFault(node: unknown, depth: number, maxDepth: number, isTextChecked: boolean): boolean {
  if (typeof node === 'string') return isTextChecked && textFault(node) !== null;
  if (node === null || typeof node !== 'object') return false;
  if (depth >= maxDepth || depth >= QUICK_DEPTH) return true;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (hasFault(node[i], depth + 1, maxDepth, isTextChecked)) return true;
    return false;
  }
  const keys = Object.keys(node);
  for (let i = 0; i < keys.length; i++) {
    if (isTextChecked && textFault(keys[i]) !== null) return true;
    if (hasFault((node as Record<string, unknown>)[keys[i]], depth + 1, maxDepth, isTextChecked)) return true;
  }
  return false;
}

/**
 * The first string (value or key) PostgreSQL could not store as text, walking without recursion.
 * Also refuses nesting deeper than `maxDepth` (a stack overflow later, in a validator, a
 * redactor or a JSON encoder, would be a 500).
 */
export function findTextFault(value: unknown, root: string, maxDepth = Infinity, isTextChecked = true): TextFault | null {
  if (!hasFault(value, 0, maxDepth, isTextChecked)) return null;
  const stack: Array<[unknown, string, number]> = [[value, root, 0]];
  while (stack.length > 0) {
    const [node, path, depth] = stack.pop()!;
    if (typeof node === 'string') {
      const reason = textFault(node);
      if (reason) return { path, reason };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth) return { path, reason: `is nested deeper than ${maxDepth} levels`, isDepth: true };
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${path}.${i}`, depth + 1]);
      continue;
    }
    for (const key of Object.keys(node)) {
      const reason = textFault(key);
      if (reason) return { path: `${path}.${key.replace(/[^\x20-\x7e]/g, '?')}`, reason: `has a key that ${reason}` };
      stack.push([(node as Record<string, unknown>)[key], `${path}.${key}`, depth + 1]);
    }
  }
  return null;
}

function invalidText(fault: TextFault): AppError {
  return kernelErrors.create('INVALID_TEXT', `${fault.path} ${fault.reason}`, { extra: { errors: [{ path: fault.path, message: fault.reason }] } });
}

export type InputLimits = {
  /** Deepest nesting of a JSON body (objects and arrays), default 64. */
  maxJsonDepth: number;
  /** Largest request body in bytes, default 1 MiB. */
  bodyLimit: number;
};

/**
 * Checks a parsed JSON body: depth, then text. Throws the problem to answer. Given the body's
 * JSON text, strings are checked only when it could hold a bad one: valid UTF-8 carries no lone
 * surrogate, so a NUL or a surrogate can only come from a raw NUL or a `\u` escape.
 */
export function checkJsonBody(value: unknown, maxDepth: number, json?: string): void {
  const isTextChecked = json === undefined || json.includes('\\u') || json.includes('\u0000');
  const fault = findTextFault(value, 'body', maxDepth, isTextChecked);
  if (!fault) return;
  if (fault.isDepth) throw kernelErrors.create('JSON_TOO_DEEP', `${fault.path} ${fault.reason}`, { extra: { maxDepth } });
  throw invalidText(fault);
}

/**
 * Installs, on the root app: the JSON body parser (UTF-8, depth, text checked while parsing, the
 * prototype-poisoning guard kept), no parser for text/plain (an unexpected content type is a 415),
 * and a first onRequest hook that checks the query string, path parameters and headers.
 */
export function registerInputChecks(app: FastifyInstance, limits: InputLimits): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: limits.bodyLimit }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) return done(kernelErrors.create('INVALID_TEXT', 'body is not valid UTF-8', { extra: { errors: [{ path: 'body', message: 'is not valid UTF-8' }] } }), undefined);
    const text = bytes.toString('utf8');
    parseJson(request, text, (err, value) => {
      if (err) return done(kernelErrors.create('MALFORMED_JSON', err.message), undefined);
      try {
        checkJsonBody(value, limits.maxJsonDepth, text);
      } catch (problem) {
        return done(problem as AppError, undefined);
      }
      done(null, value);
    });
  });

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const query = request.query as Query | undefined;
    const badName = query?.[INVALID_QUERY];
    if (badName !== undefined) {
      const path = `querystring.${badName.replace(/[^\x20-\x7e]/g, '?')}`;
      sendProblem(reply, request, invalidText({ path, reason: 'is not valid UTF-8 once percent-decoded' }));
      return;
    }
    const fault = findTextFault(query, 'querystring') ?? findTextFault(request.params, 'params') ?? findTextFault(request.headers, 'headers');
    if (fault) {
      sendProblem(reply, request, invalidText(fault));
      return;
    }
    done();
  });
}
