// Regular expressions that come from tenants (a workflow's input schema) or from outside run on
// RE2 (re2js, a pure-JavaScript port: no native build), which matches in linear time: a
// catastrophic pattern such as ^(a+)+$ cannot stall the event loop that every workspace shares.
// RE2 has no lookaround or backreferences; such a pattern is refused when the schema is compiled.
import { RE2JS } from 're2js';
import type { RegExpEngine } from 'ajv/dist/types/index.js';

/** Ajv's `code.regExp`: patterns compiled by RE2 (Unicode is RE2's default; the `u` flag is implied). */
export const safeRegExp: RegExpEngine = Object.assign((pattern: string) => RE2JS.compile(pattern), { code: 'RE2JS.compile' });

/**
 * A RegExp look-alike on RE2 for JSONata's `RegexEngine` option: JSONata builds it from the
 * expression's regex literal and calls `exec` from `lastIndex`, as its $match, $replace,
 * $split and $contains do. Flags i and m map to RE2's; lookaround is refused at first use.
 */
export class SafeRegExp {
  lastIndex = 0;
  readonly source: string;
  private readonly re: RE2JS;
  constructor(pattern: RegExp | string) {
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    const flags = typeof pattern === 'string' ? '' : pattern.flags;
    this.source = source;
    this.re = RE2JS.compile(source, (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) | (flags.includes('m') ? RE2JS.MULTILINE : 0) | (flags.includes('s') ? RE2JS.DOTALL : 0));
  }

  exec(input: string): (RegExpExecArray & { index: number }) | null {
    if (this.lastIndex > input.length) return null;
    const m = this.re.matcher(input);
    if (!m.find(this.lastIndex)) return null;
    const groups: Array<string | undefined> = [];
    for (let i = 0; i <= m.groupCount(); i++) groups.push(m.group(i) ?? undefined);
    const result = Object.assign(groups, { index: m.start(0), input }) as unknown as RegExpExecArray & { index: number };
    this.lastIndex = m.end(0);
    return result;
  }

  test(input: string): boolean {
    return this.exec(input) !== null;
  }
}
