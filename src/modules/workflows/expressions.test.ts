import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionError, evaluate, fillSecrets, mappingProblems, redact, resolveValue, secretReferences } from './expressions.ts';

const scope = { input: { name: 'Ada', items: [1, 2, 3] }, steps: { first: { total: 6 } } };

test('mappings: `=` strings are JSONata, `==` escapes a literal `=`, other values pass as they are', async () => {
  assert.deepEqual(await resolveValue({ who: '=input.name', sum: '=$sum(input.items)', raw: 'input.name', eq: '==1+1', n: 3, list: ['=steps.first.total', null] }, scope),
    { who: 'Ada', sum: 6, raw: 'input.name', eq: '=1+1', n: 3, list: [6, null] });
  // A missing path is null (JSON), never undefined.
  assert.equal(await evaluate('input.nope', scope), null);
});

test('a broken or endless expression fails with an ExpressionError, not a hang', async () => {
  await assert.rejects(evaluate('1 +', scope), ExpressionError);
  await assert.rejects(evaluate('($f := function($x) { $f($x) }; $f(1))', scope), ExpressionError);
  assert.deepEqual(mappingProblems({ a: '=input.', b: ['=1', '=(('], c: '==((' }, 'input').map((p) => p.path), ['input.a', 'input.b.1']);
});

test('regular expressions in expressions run on RE2: the same answers, no catastrophic backtracking, lookaround refused', async () => {
  const text = { input: { s: 'Order 42 and order 7', evil: `${'a'.repeat(40)}!` }, steps: {} };
  assert.deepEqual(await evaluate('$match(input.s, /order (\\d+)/i).groups[0]', text), ['42', '7']);
  assert.equal(await evaluate('$replace(input.s, /\\d+/, "#")', text), 'Order # and order #');
  assert.deepEqual(await evaluate('$split("a1b22c", /[0-9]+/)', text), ['a', 'b', 'c']);
  assert.equal(await evaluate('$contains(input.s, /AND/i)', text), true);
  // On the JS engine this match backtracks for hours (and JSONata's timeout can't interrupt it).
  assert.equal(await evaluate('$contains(input.evil, /^(a+)+$/)', text), false);
  await assert.rejects(evaluate('$contains(input.s, /(?=Order)O/)', text), ExpressionError);
});

test('secret references are found, filled server-side and redacted from anything stored', () => {
  const value = { url: 'https://x/{{secrets.API}}', headers: { auth: 'Bearer {{ secrets.TOKEN }}' } };
  assert.deepEqual(secretReferences(value).sort(), ['API', 'TOKEN']);
  const filled = fillSecrets(value, new Map([['API', 'k-123456'], ['TOKEN', 't-abcdef']]));
  assert.deepEqual(filled, { url: 'https://x/k-123456', headers: { auth: 'Bearer t-abcdef' } });
  assert.deepEqual(redact({ echo: filled, ['t-abcdef']: 1 }, new Set(['k-123456', 't-abcdef'])), {
    echo: { url: 'https://x/[REDACTED]', headers: { auth: 'Bearer [REDACTED]' } }, '[REDACTED]': 1,
  });
});
