// The AI step types of workflows, executed on the job engine against the fake provider: an `llm`
// step (prompt built by an expression, JSON parsed), a `tool` step (memory.remember with text
// from the llm step), an `agent` step (a run of the published agent, as its service identity,
// recorded as the workflow's); refusals are step errors with the gateway's or the tool's code;
// a definition naming an unknown tool is refused when saved.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { startFakeLlm } from '../../../test/helpers/fake-llm.ts';
import type { FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { clientOf, createTenant, waitForExecution } from '../workflows/workflows.fixtures.ts';
import type { Call, Tenant } from '../workflows/workflows.fixtures.ts';

const PROVIDER_KEY = 'sk-fake-ai-steps-33aa';

describe('workflow steps llm, agent and tool', () => {
  let platform: TestPlatform;
  let fake: FakeLlm;
  let a: Tenant;
  let owner: Call;
  let agentId = '';

  async function execute(definition: unknown, input: unknown) {
    const created = await owner('POST', '/workflows', { name: `ai ${Math.random().toString(36).slice(2, 8)}`, definition });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    assert.equal((await owner('POST', `/workflows/${id}/deploy`, {})).statusCode, 200);
    const started = await owner('POST', `/workflows/${id}/execute`, { input });
    assert.equal(started.statusCode, 202, started.body);
    return waitForExecution(owner, started.json().executionId);
  }

  before(async () => {
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    platform = await startTestPlatform();
    platform.jobs.start();
    a = await createTenant(platform, 'ai-steps');
    owner = clientOf(platform, a.tokens.owner);
    assert.equal((await owner('PUT', '/secrets/FAKE_KEY', { value: PROVIDER_KEY })).statusCode, 201);
    assert.equal((await owner('PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } })).statusCode, 200);
    assert.equal((await owner('POST', '/llm/providers', { name: 'fake', kind: 'openai_compatible', baseUrl: `${fake.url}/openai/v1`, secretName: 'FAKE_KEY' })).statusCode, 201);
    const agent = await owner('POST', '/agents', { name: 'Summariser', config: { model: 'fake/gpt-4o-mini', systemPrompt: 'Summarise.' } });
    agentId = agent.json().id;
    assert.equal((await owner('POST', `/agents/${agentId}/publish`, {})).statusCode, 200);
  });
  after(async () => {
    await platform.jobs.stop();
    await platform.stop();
    await fake.close();
  });

  test('llm → tool → agent: each step\'s output feeds the next; the calls are metered; the run is the workflow\'s', async () => {
    const done = await execute({
      steps: [
        { id: 'ask', type: 'llm', model: 'fake/gpt-4o-mini', system: 'Be brief.', prompt: '="Client " & input.client & " pays late"' },
        { id: 'note', type: 'tool', tool: 'memory.remember', arguments: { text: '=steps.ask.text', tags: ['billing'], isShared: true } },
        { id: 'summary', type: 'agent', agentId, message: '="Summarise: " & steps.ask.text' },
      ],
      output: '{"said": steps.ask.text, "memory": steps.note.id, "answer": steps.summary.message, "runId": steps.summary.runId}',
    }, { client: 'Acme' });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    const output = done.output as { said: string; memory: string; answer: string; runId: string };
    assert.equal(output.said, 'Echo: Client Acme pays late');
    assert.match(output.answer, /^Echo: Summarise: Echo: Client Acme pays late/);
    const memories = await owner('GET', '/memories');
    assert.ok((memories.json().data as Array<{ id: string; text: string }>).some((m) => m.id === output.memory && m.text === 'Echo: Client Acme pays late'));
    const run = await owner('GET', `/agents/${agentId}/runs/${output.runId}`);
    assert.equal(run.json().trigger, 'workflow');
    assert.equal(run.json().actorUserId, null);
    const events = await platform.db.withPlatform(async (tx) => (await tx.query<{ agent_id: string | null }>('select agent_id from usage_events where workspace_id = $1 order by occurred_at', [a.workspaceId])).rows);
    assert.equal(events.length, 2, 'the llm step and the agent\'s one model call');
    assert.deepEqual(events.map((e) => e.agent_id), [null, agentId]);
  });

  test('failures are step errors with a stable code: a non-JSON answer, a tool refusing its input, an agent not in the workspace; an unknown tool is refused when saved', async () => {
    const notJson = await execute({ steps: [{ id: 'ask', type: 'llm', model: 'fake/gpt-4o-mini', prompt: 'hello', json: true }] }, {});
    assert.equal(notJson.status, 'failed');
    assert.equal(notJson.error?.code, 'LLM_OUTPUT_NOT_JSON');
    const badInput = await execute({ steps: [{ id: 'note', type: 'tool', tool: 'memory.remember', arguments: { text: 42 } }] }, {});
    assert.equal(badInput.error?.code, 'TOOL_INPUT_INVALID');
    const unknownAgent = await execute({ steps: [{ id: 's', type: 'agent', agentId: '00000000-0000-7000-8000-000000000000', message: 'hi' }] }, {});
    assert.equal(unknownAgent.error?.code, 'AGENT_NOT_FOUND');
    const refused = await owner('POST', '/workflows', { name: 'bad tool', definition: { steps: [{ id: 't', type: 'tool', tool: 'no.such_tool' }] } });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.equal(refused.json().code, 'INVALID_DEFINITION');
    assert.match(refused.body, /unknown tool/);
  });
});
