// The AI gateway end to end, through real HTTP and the official OpenAI and Anthropic clients,
// against a fake provider that speaks both wire protocols: translation both ways, streaming,
// tools, fallbacks, provider errors, metering (priced, unpriced, estimated, a client that cuts
// a stream), quotas refused before the call, and no key anywhere in an answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createPlatformAdminSession, createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { startFakeLlm } from '../../../test/helpers/fake-llm.ts';
import type { FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { waitUntil } from '../../../test/helpers/wait.ts';

const PROVIDER_KEY = 'sk-fake-provider-key-3f9a7c21';

type EventRow = { model: string; resolved_model: string | null; provider_name: string | null; status: string; usage_source: string; pricing: string; cost_micros: string | null; input_tokens: string; output_tokens: string; is_streamed: boolean; attempts: number; api_format: string; error_code: string | null; request_id: string | null; api_key_id: string | null };

describe('AI gateway', () => {
  let platform: TestPlatform;
  let fake: FakeLlm;
  let a: Tenant;
  let b: Tenant;
  let admin: { token: string };
  const answers: string[] = [];
  let openai: OpenAI;
  let anthropic: Anthropic;

  async function api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
  }

  async function events(workspaceId: string): Promise<EventRow[]> {
    return platform.db.withPlatform(async (tx) => (await tx.query<EventRow>('select * from usage_events where workspace_id = $1 order by id', [workspaceId])).rows);
  }

  before(async () => {
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    platform = await startTestPlatform({}, { listen: true });
    a = await createTenant(platform, 'gw-a', { apiKeyRole: 'member' });
    b = await createTenant(platform, 'gw-b');
    admin = await createPlatformAdminSession(platform, 'ops-gw@example.com', 'Ops');
    assert.equal((await api(a.tokens.owner, 'PUT', '/secrets/FAKE_KEY', { value: PROVIDER_KEY })).status, 201);
    openai = new OpenAI({ baseURL: `${platform.baseUrl}/v1`, apiKey: a.apiKey, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: platform.baseUrl, apiKey: a.apiKey, maxRetries: 0 });
  });

  after(async () => {
    for (const text of answers) assert.ok(!text.includes(PROVIDER_KEY), `a provider key in an answer: ${text.slice(0, 200)}`);
    await platform.stop();
    await fake.close();
  });

  test('a provider on a private address is refused until the workspace allows private addresses', async () => {
    const refused = await api(a.tokens.admin, 'POST', '/llm/providers', { name: 'fake', kind: 'openai_compatible', baseUrl: `${fake.url}/openai/v1`, secretName: 'FAKE_KEY' });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.code, 'PROVIDER_INVALID');
    assert.match(String(refused.json.detail), /network\.allow_private_addresses/);
    assert.equal((await api(a.tokens.admin, 'PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } })).status, 200);
    const missing = await api(a.tokens.admin, 'POST', '/llm/providers', { name: 'fake', kind: 'openai_compatible', baseUrl: `${fake.url}/openai/v1`, secretName: 'NO_SUCH_SECRET' });
    assert.equal(missing.status, 400);
    assert.deepEqual((missing.json.errors as Array<{ path: string }>).map((e) => e.path), ['body.secretName']);
    const created = await api(a.tokens.admin, 'POST', '/llm/providers', { name: 'fake', kind: 'openai_compatible', baseUrl: `${fake.url}/openai/v1`, secretName: 'FAKE_KEY' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.secretName, 'FAKE_KEY');
    assert.equal(created.json.hasKey, true);
    const claude = await api(a.tokens.admin, 'POST', '/llm/providers', { name: 'claude', kind: 'anthropic', baseUrl: `${fake.url}/anthropic`, secretName: 'FAKE_KEY' });
    assert.equal(claude.status, 201);
    assert.equal((await api(a.tokens.member, 'POST', '/llm/providers', { name: 'nope', kind: 'openai' })).status, 403, 'members cannot connect providers');
    const tested = await api(a.tokens.admin, 'POST', `/llm/providers/${created.json.id}/test`);
    assert.deepEqual({ isOk: tested.json.isOk, modelCount: tested.json.modelCount }, { isOk: true, modelCount: 3 });
    const models = await api(a.tokens.member, 'GET', `/llm/providers/${claude.json.id}/models`);
    assert.deepEqual(models.json.data, ['claude-haiku-4-5', 'fake-echo', 'gpt-4o-mini']);
    const fast = await api(a.tokens.admin, 'PUT', '/llm/aliases/fast', { targets: [{ providerId: created.json.id, model: 'gpt-4o-mini-broken' }, { providerId: created.json.id, model: 'gpt-4o-mini' }] });
    assert.equal(fast.status, 201);
    const inUse = await api(a.tokens.admin, 'DELETE', `/llm/providers/${created.json.id}`);
    assert.equal(inUse.status, 409);
    assert.equal(inUse.json.code, 'PROVIDER_IN_USE');
  });

  test('the official OpenAI client: a chat completion, priced from the catalogue and metered', async () => {
    const completion = await openai.chat.completions.create({ model: 'fake/gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }] });
    assert.equal(completion.choices[0].message.content, 'Echo: hello there');
    assert.ok(completion.usage && completion.usage.prompt_tokens > 0);
    const sent = fake.requests.at(-1)!;
    assert.equal(sent.headers.authorization, `Bearer ${PROVIDER_KEY}`, 'the vault key is sent to the provider');
    assert.equal(sent.body.model, 'gpt-4o-mini');
    const [event] = (await events(a.workspaceId)).slice(-1);
    assert.equal(event.status, 'ok');
    assert.equal(event.pricing, 'priced');
    assert.equal(event.usage_source, 'provider');
    assert.equal(Number(event.input_tokens), completion.usage!.prompt_tokens);
    assert.equal(Number(event.output_tokens), completion.usage!.completion_tokens);
    // gpt-4o-mini: $0.15 / $0.60 per million → micro-units, rounded up.
    assert.equal(Number(event.cost_micros), Math.ceil((completion.usage!.prompt_tokens * 150_000 + completion.usage!.completion_tokens * 600_000) / 1_000_000));
    assert.ok(event.api_key_id, 'the API key is on the event');
    assert.equal(event.api_format, 'openai');
  });

  test('streaming with include_usage: the chunks, the usage chunk, and a streamed event priced (not $0)', async () => {
    const stream = await openai.chat.completions.create({ model: 'fake/gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream me please' }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Echo: stream me please');
    assert.ok(usage && usage.completion_tokens > 0);
    const [event] = (await events(a.workspaceId)).slice(-1);
    assert.equal(event.is_streamed, true);
    assert.equal(event.usage_source, 'provider');
    assert.equal(Number(event.output_tokens), usage!.completion_tokens);
    assert.ok(Number(event.cost_micros) > 0);
  });

  test('tools through the OpenAI client: a tool call, then the tool result answered', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', description: 'Look something up', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }];
    const first = await openai.chat.completions.create({ model: 'fake/gpt-4o-mini', tools, messages: [{ role: 'user', content: 'weather in Paris' }] });
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    assert.equal(call.function.name, 'lookup');
    assert.deepEqual(JSON.parse(call.function.arguments), { query: 'weather in Paris' });
    const second = await openai.chat.completions.create({ model: 'fake/gpt-4o-mini', tools, messages: [{ role: 'user', content: 'weather in Paris' }, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }] });
    assert.equal(second.choices[0].message.content, 'Tool said: sunny');
  });

  test('the official Anthropic client against an Anthropic provider: JSON and the SSE event sequence', async () => {
    const message = await anthropic.messages.create({ model: 'claude/claude-haiku-4-5', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'bonjour' }] });
    assert.equal(message.content[0].type, 'text');
    assert.equal((message.content[0] as Anthropic.TextBlock).text, 'Echo: bonjour');
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
    const sent = fake.requests.at(-1)!;
    assert.equal(sent.headers['x-api-key'], PROVIDER_KEY);
    assert.equal(sent.body.system, 'Be brief.');
    const stream = anthropic.messages.stream({ model: 'claude/claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'stream it' }] });
    let text = '';
    stream.on('text', (t) => { text += t; });
    const final = await stream.finalMessage();
    assert.equal(text, 'Echo: stream it');
    assert.equal(final.stop_reason, 'end_turn');
    assert.ok(final.usage.output_tokens > 0);
    const [event] = (await events(a.workspaceId)).slice(-1);
    assert.equal(event.api_format, 'anthropic');
    assert.equal(event.is_streamed, true);
    assert.equal(event.provider_name, 'claude');
    assert.equal(Number(event.output_tokens), final.usage.output_tokens);
  });

  test('translation both ways: OpenAI client → Anthropic provider, Anthropic client (with tools) → OpenAI provider', async () => {
    const viaClaude = await openai.chat.completions.create({ model: 'claude/claude-haiku-4-5', messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'cross' }], max_tokens: 50 });
    assert.equal(viaClaude.choices[0].message.content, 'Echo: cross');
    assert.equal(viaClaude.choices[0].finish_reason, 'stop');
    const sentToClaude = fake.requests.at(-1)!;
    assert.equal(sentToClaude.path, '/anthropic/v1/messages');
    assert.equal(sentToClaude.body.system, 'sys');
    assert.equal(sentToClaude.body.max_tokens, 50);

    const tools: Anthropic.Tool[] = [{ name: 'lookup', description: 'Look up', input_schema: { type: 'object', properties: { query: { type: 'string' } } } }];
    const first = await anthropic.messages.create({ model: 'fake/gpt-4o-mini', max_tokens: 100, tools, messages: [{ role: 'user', content: 'find cats' }] });
    const use = first.content.find((c) => c.type === 'tool_use') as Anthropic.ToolUseBlock;
    assert.equal(first.stop_reason, 'tool_use');
    assert.equal(use.name, 'lookup');
    assert.deepEqual(use.input, { query: 'find cats' });
    const sentToOpenAi = fake.requests.at(-1)!;
    assert.equal(sentToOpenAi.path, '/openai/v1/chat/completions');
    assert.equal((sentToOpenAi.body.tools as Array<{ function: { name: string } }>)[0].function.name, 'lookup');
    const second = await anthropic.messages.create({ model: 'fake/gpt-4o-mini', max_tokens: 100, tools, messages: [
      { role: 'user', content: 'find cats' }, { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '3 cats' }] },
    ] });
    assert.equal((second.content[0] as Anthropic.TextBlock).text, 'Tool said: 3 cats');
    const streamed = anthropic.messages.stream({ model: 'fake/gpt-4o-mini', max_tokens: 100, tools, messages: [{ role: 'user', content: 'find dogs' }] });
    const final = await streamed.finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    assert.deepEqual((final.content.find((c) => c.type === 'tool_use') as Anthropic.ToolUseBlock).input, { query: 'find dogs' });
  });

  test('prompt-cache breakpoints reach the provider: Anthropic client → Anthropic provider keeps cache_control on system, tools, text and tool results', async () => {
    const ephemeral = { type: 'ephemeral' as const };
    const tools: Anthropic.Tool[] = [{ name: 'lookup', description: 'Look up', input_schema: { type: 'object', properties: { query: { type: 'string' } } }, cache_control: ephemeral }];
    await anthropic.messages.create({
      model: 'claude/claude-haiku-4-5', max_tokens: 50, tools,
      system: [{ type: 'text', text: 'A long, stable policy document.', cache_control: { type: 'ephemeral', ttl: '1h' } }, { type: 'text', text: 'Today is Monday.' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'A long shared context.', cache_control: ephemeral }, { type: 'text', text: 'find cats' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { query: 'cats' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '3 cats', cache_control: ephemeral }] },
      ],
    });
    const sent = fake.requests.at(-1)!.body as { system: unknown; tools: Array<Record<string, unknown>>; messages: Array<{ content: Array<Record<string, unknown>> }> };
    assert.deepEqual(sent.system, [{ type: 'text', text: 'A long, stable policy document.', cache_control: { type: 'ephemeral', ttl: '1h' } }, { type: 'text', text: 'Today is Monday.' }]);
    assert.deepEqual(sent.tools[0].cache_control, ephemeral);
    assert.deepEqual(sent.messages[0].content[0], { type: 'text', text: 'A long shared context.', cache_control: ephemeral });
    assert.equal(sent.messages[0].content[1].cache_control, undefined);
    assert.deepEqual(sent.messages[2].content[0].cache_control, ephemeral);
    // Without breakpoints the system prompt stays a plain string, as before.
    await anthropic.messages.create({ model: 'claude/claude-haiku-4-5', max_tokens: 50, system: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }], messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(fake.requests.at(-1)!.body.system, 'one\n\ntwo');
    // The OpenAI format carries them too (OpenRouter's convention), to an Anthropic provider.
    await openai.chat.completions.create({
      model: 'claude/claude-haiku-4-5', max_tokens: 50,
      messages: [{ role: 'system', content: [{ type: 'text', text: 'Policy.', cache_control: ephemeral } as OpenAI.ChatCompletionContentPartText] }, { role: 'user', content: 'hi' }],
    });
    assert.deepEqual(fake.requests.at(-1)!.body.system, [{ type: 'text', text: 'Policy.', cache_control: ephemeral }]);
  });

  test('extended thinking: the parameter reaches Anthropic, the signed thinking comes back (JSON and stream) and returns unchanged with the next turn', async () => {
    const thinking = { type: 'enabled' as const, budget_tokens: 2048 };
    const first = await anthropic.messages.create({ model: 'claude/claude-haiku-4-5', max_tokens: 4096, thinking, messages: [{ role: 'user', content: 'plan a trip' }] });
    assert.deepEqual(fake.requests.at(-1)!.body.thinking, thinking);
    const thought = first.content[0] as Anthropic.ThinkingBlock;
    assert.equal(thought.type, 'thinking');
    assert.equal(thought.thinking, 'Thinking about: plan a trip');
    assert.match(thought.signature, /^sig-/);
    assert.equal((first.content[1] as Anthropic.TextBlock).text, 'Echo: plan a trip');

    await anthropic.messages.create({ model: 'claude/claude-haiku-4-5', max_tokens: 4096, thinking, messages: [
      { role: 'user', content: 'plan a trip' }, { role: 'assistant', content: first.content }, { role: 'user', content: 'and back' },
    ] });
    const history = fake.requests.at(-1)!.body.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>;
    assert.deepEqual(history[1].content[0], { type: 'thinking', thinking: thought.thinking, signature: thought.signature }, 'the signed block goes back as it came');

    const stream = anthropic.messages.stream({ model: 'claude/claude-haiku-4-5', max_tokens: 4096, thinking, messages: [{ role: 'user', content: 'stream a plan' }] });
    let thinkingText = '';
    stream.on('thinking', (delta) => { thinkingText += delta; });
    const final = await stream.finalMessage();
    assert.equal(thinkingText, 'Thinking about: stream a plan');
    assert.equal(final.content[0].type, 'thinking');
    assert.match((final.content[0] as Anthropic.ThinkingBlock).signature, /^sig-/);
    assert.equal((final.content[1] as Anthropic.TextBlock).text, 'Echo: stream a plan');

    // An OpenAI provider never sees Anthropic's parameter or blocks.
    await anthropic.messages.create({ model: 'fake/gpt-4o-mini', max_tokens: 100, thinking, messages: [
      { role: 'user', content: 'plan a trip' }, { role: 'assistant', content: first.content }, { role: 'user', content: 'and back' },
    ] });
    const toOpenAi = JSON.stringify(fake.requests.at(-1)!.body);
    assert.ok(!toOpenAi.includes('thinking') && !toOpenAi.includes('sig-'), toOpenAi);
  });

  test('an alias falls back to its next target on a 5xx; a provider 429 reaches the client as a RateLimitError', async () => {
    const completion = await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'fallback' }] });
    assert.equal(completion.choices[0].message.content, 'Echo: fallback');
    const [event] = (await events(a.workspaceId)).slice(-1);
    assert.equal(event.attempts, 2);
    assert.equal(event.resolved_model, 'gpt-4o-mini');
    await assert.rejects(openai.chat.completions.create({ model: 'fake/gpt-4o-mini-rate-limited', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      assert.equal(err.status, 429);
      return true;
    });
    await assert.rejects(anthropic.messages.create({ model: 'nope/what', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof Anthropic.NotFoundError, String(err));
      assert.match(String((err as { message: string }).message), /No alias "nope\/what"/);
      return true;
    });
    const [failed] = (await events(a.workspaceId)).slice(-1);
    assert.equal(failed.status, 'error');
    assert.equal(failed.error_code, 'PROVIDER_RATE_LIMITED');
  });

  test('a provider that reports no usage: counted with the tokenizer and marked estimated, still priced', async () => {
    await openai.chat.completions.create({ model: 'fake/gpt-4o-mini-no-usage', messages: [{ role: 'user', content: 'count me' }] });
    const [event] = (await events(a.workspaceId)).slice(-1);
    assert.equal(event.usage_source, 'estimated');
    assert.ok(Number(event.output_tokens) > 0);
    assert.equal(event.pricing, 'priced', 'priced as gpt-4o-mini (catalogue name + suffix)');
  });

  test('a client that leaves mid-stream: the provider is stopped and the call is metered for what it produced', async () => {
    const controller = new AbortController();
    const res = await fetch(`${platform.baseUrl}/v1/chat/completions`, {
      method: 'POST', signal: controller.signal, headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/gpt-4o-mini-long', stream: true, messages: [{ role: 'user', content: 'go on' }] }),
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let received = '';
    while (received.split('data:').length < 20) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const event = await waitUntil('the cut stream is metered', async () => (await events(a.workspaceId)).find((e) => e.status === 'client_closed'), 5000);
    assert.equal(event.usage_source, 'estimated');
    assert.ok(Number(event.output_tokens) >= 10, `output tokens ${event.output_tokens}`);
    assert.ok(Number(event.cost_micros) > 0);
    await waitUntil('the provider stream is closed', () => fake.openStreams() === 0, 5000);
  });

  test('a streamed call through the module door: `metered` and `usage` give the same record, and once `usage` resolves its event is durable', async () => {
    const stream = await platform.llm.stream({
      principal: { workspaceId: a.workspaceId, userId: a.userIds.member, apiKeyId: null },
      request: { model: 'fake/gpt-4o-mini', messages: [{ role: 'user', content: 'through the door' }], stream: true },
      requestId: 'door-stream-1', apiFormat: 'internal',
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.match(text, /through the door/);
    const metered = await stream.metered;
    const usage = await stream.usage;
    assert.deepEqual(metered, usage);
    assert.ok(metered.inputTokens > 0 && metered.outputTokens > 0 && metered.costMicros !== null && metered.costMicros > 0);
    const row = await platform.db.withPlatform(async (tx) => (await tx.query<{ request_id: string; input_tokens: string; output_tokens: string; cost_micros: string }>('select request_id, input_tokens, output_tokens, cost_micros from usage_events where workspace_id = $1 and id = $2', [a.workspaceId, usage.eventId])).rows[0]);
    assert.ok(row, 'the event is written under the id the record names');
    assert.deepEqual([row.request_id, Number(row.input_tokens), Number(row.output_tokens), Number(row.cost_micros)], ['door-stream-1', usage.inputTokens, usage.outputTokens, usage.costMicros]);
  });

  test('models and embeddings through the OpenAI client', async () => {
    const list = await openai.models.list();
    const ids = list.data.map((m) => m.id);
    assert.ok(ids.includes('fast') && ids.includes('fake/gpt-4o-mini') && ids.includes('claude/claude-haiku-4-5'), ids.join(','));
    const embedded = await openai.embeddings.create({ model: 'fake/text-embedding-3-small', input: ['a', 'bb'] });
    assert.equal(embedded.data.length, 2);
    assert.equal(embedded.data[0].embedding.length, 8);
    const [event] = (await events(a.workspaceId)).slice(-1);
    assert.equal(event.model, 'fake/text-embedding-3-small');
    assert.equal(event.pricing, 'priced');
    await assert.rejects(openai.embeddings.create({ model: 'claude/claude-haiku-4-5', input: 'x' }), (err: unknown) => (err as { status: number }).status === 400);
  });

  test('quotas are enforced before the call: an API key over its quota is refused with quota_exceeded, and the refusal is recorded', async () => {
    const keyId = (await events(a.workspaceId)).find((e) => e.api_key_id)!.api_key_id!;
    const set = await api(a.tokens.admin, 'PUT', '/usage/quotas', { scope: 'api_key', subjectId: keyId, monthlyTokens: 1, monthlyCostMicros: null });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    const before = fake.requests.length;
    await assert.rejects(openai.chat.completions.create({ model: 'fake/gpt-4o-mini', messages: [{ role: 'user', content: 'over' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 429);
      assert.equal((err.error as { code?: string }).code, 'quota_exceeded');
      assert.match(err.message, /API key's monthly token quota/);
      return true;
    });
    assert.equal(fake.requests.length, before, 'nothing was sent to the provider');
    const [event] = (await events(a.workspaceId)).slice(-1);
    assert.equal(event.status, 'refused');
    assert.equal(event.error_code, 'QUOTA_EXCEEDED');
    // Users (not the key) are not limited by the key's quota.
    const userClient = new OpenAI({ baseURL: `${platform.baseUrl}/v1`, apiKey: a.tokens.member, maxRetries: 0 });
    const ok = await userClient.chat.completions.create({ model: 'fake/gpt-4o-mini', messages: [{ role: 'user', content: 'as a user' }] });
    assert.equal(ok.choices[0].message.content, 'Echo: as a user');
    const quotas = await api(a.tokens.member, 'GET', '/usage/quotas');
    const ws = (quotas.json.quotas as Array<{ scope: string; spentTokens: number; reservedTokens: number }>).find((q) => q.scope === 'workspace')!;
    const total = (await events(a.workspaceId)).reduce((n, e) => n + Number(e.input_tokens) + Number(e.output_tokens), 0);
    assert.equal(ws.spentTokens, total, 'the month\'s counter is the sum of the events');
    assert.equal(ws.reservedTokens, 0, 'nothing left held');
    const above = await api(a.tokens.admin, 'PUT', '/usage/quotas', { scope: 'workspace', monthlyTokens: 10_000_000_000, monthlyCostMicros: null });
    assert.equal(above.status, 403);
    assert.equal(above.json.code, 'QUOTA_ABOVE_PLAN');
  });

  test('an unpriced model is refused under a cost budget, and recorded as unpriced (never $0) where no cost budget applies', async () => {
    await assert.rejects(openai.chat.completions.create({ model: 'fake/fake-echo', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => (err as { status: number }).status === 422);
    const lifted = await api(admin.token, 'PUT', `/admin/workspaces/${a.workspaceId}/quotas`, { scope: 'workspace', monthlyTokens: null, monthlyCostMicros: null });
    assert.equal(lifted.status, 200, JSON.stringify(lifted.json));
    const userClient = new OpenAI({ baseURL: `${platform.baseUrl}/v1`, apiKey: a.tokens.member, maxRetries: 0 });
    await userClient.chat.completions.create({ model: 'fake/fake-echo', messages: [{ role: 'user', content: 'free?' }] });
    const [event] = (await events(a.workspaceId)).slice(-1);
    assert.equal(event.pricing, 'unpriced');
    assert.equal(event.cost_micros, null);
    const summary = await api(a.tokens.owner, 'GET', '/usage/summary?groupBy=model');
    const totals = summary.json.totals as { unpricedCalls: number; calls: number; costMicros: number };
    assert.ok(totals.unpricedCalls >= 1);
    const all = await events(a.workspaceId);
    assert.equal(totals.calls, all.length);
    assert.equal(totals.costMicros, all.reduce((n, e) => n + Number(e.cost_micros ?? 0), 0));
  });

  test('another workspace sees none of it: no provider, no model, and its own (empty) usage', async () => {
    const bClient = new OpenAI({ baseURL: `${platform.baseUrl}/v1`, apiKey: b.apiKey, maxRetries: 0 });
    await assert.rejects(bClient.chat.completions.create({ model: 'fake/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => (err as { status: number }).status === 404);
    assert.deepEqual((await bClient.models.list()).data, []);
    const list = await api(b.tokens.owner, 'GET', '/llm/providers');
    assert.deepEqual(list.json.data, []);
    const usage = await api(b.tokens.owner, 'GET', '/usage/events');
    assert.ok((usage.json.data as Array<{ status: string }>).every((e) => e.status === 'refused' || e.status === 'error'), 'B only has its own failed call');
  });

  test('the CSV export streams every event of the window', async () => {
    const res = await fetch(`${platform.baseUrl}/api/v1/usage/events.csv`, { headers: { authorization: `Bearer ${a.tokens.owner}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    assert.match(lines[0], /^id,occurred_at,/);
    assert.equal(lines.length - 1, (await events(a.workspaceId)).length);
  });

  test('a provider whose secret was deleted: calls get a clear 400, the model list leaves it out', async () => {
    assert.equal((await api(a.tokens.owner, 'DELETE', '/secrets/FAKE_KEY')).status, 204);
    // The gateway caches a provider's key 10 s per provider version: a change of the provider is a new version.
    const fakeId = ((await api(a.tokens.admin, 'GET', '/llm/providers')).json.data as Array<{ id: string; name: string }>).find((p) => p.name === 'fake')!.id;
    assert.equal((await api(a.tokens.admin, 'PATCH', `/llm/providers/${fakeId}`, { timeoutMs: 30_000 })).status, 200);
    await assert.rejects(openai.chat.completions.create({ model: 'fake/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.equal((err as { status: number }).status, 400);
      assert.match(String((err as Error).message), /is not in this workspace's vault/);
      return true;
    });
    const list = await openai.models.list();
    assert.deepEqual(list.data.map((m) => m.id), ['fast']);
  });
});
