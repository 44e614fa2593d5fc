// Regular expressions that come from tenants (a workflow's input schema) or from outside run on
// RE2 (re2js, a pure-JavaScript port: no native build), which matches in linear time: a
// catastrophic pattern such as ^(a+)+$ cannot stall the event loop that every workspace shares.
// RE2 has no lookaround or backreferences; such a pattern is refused when the schema is compiled.
import { RE2JS } from 're2js';
import type { RegExpEngine } from 'ajv/dist/types/index.js';

/** Ajv's `code.regExp`: patterns compiled by RE2 (Unicode is RE2's default; the `u` flag is implied). */
export const safeRegExp: RegExpEngine = Object.assign((pattern: string) => RE2JS.compile(pattern), { code: 'RE2JS.compile' });
