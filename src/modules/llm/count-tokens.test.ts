// Token estimates: the tokenizer's count for ordinary text; a long run without whitespace (where
// BPE is quadratic: 32 K emoji held the event loop ~5 s) counted by its bytes, an upper bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens } from 'gpt-tokenizer';
import { countPromptTokens, countText } from './count-tokens.ts';

test('ordinary text: the tokenizer\'s count', () => {
  const text = 'The quick brown fox jumps over the lazy dog, twice. '.repeat(50);
  assert.equal(countText(text), countTokens(text));
  assert.equal(countText(''), 0);
});

test('long runs without whitespace count by their bytes (never fewer tokens than the tokenizer would say)', () => {
  const emoji = '😀'.repeat(32_000);
  assert.equal(countText(emoji), Buffer.byteLength(emoji));
  const mixed = `hello ${'a'.repeat(5_000)} world`;
  assert.equal(countText(mixed), 5_000 + countTokens('hello   world'));
  const prompt = countPromptTokens({ model: 'm', messages: [{ role: 'user', content: 'a'.repeat(60_000) }] });
  assert.ok(prompt >= countTokens('a'.repeat(1_000)) * 60, 'an upper bound, not a discount');
});
