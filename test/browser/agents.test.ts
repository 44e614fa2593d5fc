// Agents in real Chromium, against the fake provider: the empty state, create an agent, give it a
// tool and memory recall, add a memory, chat with the draft (the tool call and its result, the
// memory recalled, the answer streamed), read the runs and the log, publish. Screenshots go to
// artifacts/screenshots/agents-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap, logIn } from '../helpers/browser.ts';
import { startFakeLlm } from '../helpers/fake-llm.ts';
import type { FakeLlm } from '../helpers/fake-llm.ts';
import { signedHeaders } from '../../src/modules/webhooks/webhooks.fixtures.ts';
import { startExternalMcpServer } from '../helpers/mcp-server.ts';
import { startFakeMem0 } from '../helpers/fake-mem0.ts';

const PASSWORD = 'a long browser passphrase';
const PROVIDER_KEY = 'sk-browser-agents-77e1';
const CRM_TOKEN = 'crm-mcp-browser-token-41ac';
const MEM0_KEY = 'mem0-browser-key-93bd';

test('agents in Chromium: create, tools and memory, chat with a tool call, runs, log, publish', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing`);
    return;
  }
  mkdirSync(SHOTS, { recursive: true });
  await buildConsoleIfStale();
  let platform: TestPlatform | undefined;
  let browser: Browser | undefined;
  let fake: FakeLlm | undefined;
  let external: Awaited<ReturnType<typeof startExternalMcpServer>> | undefined;
  let mem0: Awaited<ReturnType<typeof startFakeMem0>> | undefined;
  const pageErrors: string[] = [];
  try {
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    external = await startExternalMcpServer(CRM_TOKEN);
    mem0 = await startFakeMem0(MEM0_KEY);
    platform = await startTestPlatform({}, { serveConsole: true, listen: true });
    const baseUrl = platform.baseUrl!;
    const hash = await platform.identity.passwords.hash(PASSWORD);
    const ids = await platform.db.withPlatform(async (tx) => {
      const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ('acme-agents', 'Acme Agents') returning id`);
      const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ('owner@agents.test', 'The owner', $1) returning id`, [hash]);
      await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [w.rows[0].id, u.rows[0].id]);
      return { workspaceId: w.rows[0].id, userId: u.rows[0].id };
    });
    const session = await platform.db.withWorkspace(ids.workspaceId, (tx) => platform!.identity.sessions.openSession(tx, { userId: ids.userId, workspaceId: ids.workspaceId, role: 'owner', isPlatformAdmin: false }));
    const headers = { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' };
    for (const [method, path, body] of [
      ['PUT', '/secrets/FAKE_KEY', { value: PROVIDER_KEY }],
      ['PUT', '/secrets/CRM_MCP_TOKEN', { value: CRM_TOKEN }],
      ['PUT', '/secrets/MEM0_API_KEY', { value: MEM0_KEY }],
      ['PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } }],
      ['POST', '/llm/providers', { name: 'fake', kind: 'openai_compatible', baseUrl: `${fake.url}/openai/v1`, secretName: 'FAKE_KEY' }],
    ] as const) {
      const res = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body: JSON.stringify(body) });
      assert.ok(res.status < 300, `${method} ${path}: ${res.status}`);
    }

    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await logIn(page, baseUrl, { email: 'owner@agents.test', password: PASSWORD }, { waitForNav: true });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.getByText('No agent yet').waitFor();
    assert.equal(await page.getByTestId('mcp-url').innerText(), `${baseUrl}/api/v1/mcp`);
    await page.getByText('No MCP server connected').waitFor();
    await snap(page, 'agents-empty');

    // An external MCP server: its token from the vault; connected at once, its tools listed.
    await page.getByRole('button', { name: 'Add MCP server' }).first().click();
    const addServer = page.getByRole('dialog');
    await addServer.getByLabel('Name').fill('crm');
    await addServer.getByLabel('URL').fill(external.url);
    await addServer.getByLabel('Credential (vault secret)').selectOption('CRM_MCP_TOKEN');
    await addServer.getByRole('button', { name: 'Add server' }).click();
    await page.getByText('crm connected: 3 tools').waitFor();
    const serverRow = page.getByTestId('mcp-servers-table').getByRole('row', { name: /crm/ });
    await serverRow.getByText('connected').waitFor();
    await serverRow.getByText('mcp.crm.echo').waitFor();
    await snap(page, 'agents-mcp-servers');

    await page.getByRole('button', { name: 'New agent' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Billing helper');
    await dialog.getByLabel('Model').selectOption('fake/gpt-4o-mini');
    await dialog.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: /Billing helper/ }).waitFor();

    // Settings: the recall tool, memory recall into each answer.
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByTestId('tool-options').getByText('memory.recall', { exact: true }).click();
    await page.getByTestId('tool-options').getByText('mcp.crm.create_contact', { exact: true }).waitFor(); // the external server's tools are offered too
    await page.getByLabel('Memory', { exact: true }).selectOption('recall');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved').waitFor();
    await snap(page, 'agents-settings', { fullPage: true });

    // Memory: one fact.
    await page.getByRole('tab', { name: 'Memory' }).click();
    await page.getByLabel('Memory', { exact: true }).fill('Acme wants its invoices in euros, on the first Monday of the month.');
    await page.getByLabel('Tags').fill('billing');
    await page.getByRole('button', { name: 'Add memory' }).click();
    await page.getByTestId('memory-list').getByText('Acme wants its invoices in euros').waitFor();
    await page.getByTestId('memory-quota').getByText(/This agent: 1 of 5,000 memories/).waitFor();
    await page.getByTestId('memory-recall-mode').getByText(/Recall: by words and near spellings/).waitFor();

    // Chat with the draft: the model calls the recall tool, then answers with what it found.
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByLabel('Message').fill('How does Acme want its invoices?');
    await page.getByRole('button', { name: 'Send' }).click();
    const tool = page.getByTestId('tool-call').first();
    await tool.getByText('done').waitFor();
    assert.match(await tool.innerText(), /memory\.recall[\s\S]*invoices in euros/);
    await page.getByTestId('agent-chat').getByText(/^Tool said:/).waitFor();
    await page.getByTestId('run-status').getByText(/tokens · \$/).waitFor();
    await snap(page, 'agents-chat', { fullPage: true });

    await page.getByRole('tab', { name: 'Runs' }).click();
    const run = page.getByTestId('runs-table').getByRole('row').nth(1);
    await run.waitFor();
    assert.match(await run.innerText(), /completed[\s\S]*draft[\s\S]*2 model · 1 tool/);

    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.getByTestId('logs-table').getByText('run_ended').waitFor();
    await page.getByTestId('logs-table').getByText('tool_call').waitFor();
    await snap(page, 'agents-logs');

    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Version 1 published').waitFor();
    await nav.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.getByTestId('agents-table').getByRole('row', { name: /Billing helper/ }).getByText('v1').waitFor();
    await snap(page, 'agents-list');

    // Its webhook: set up (secret shown once), a signed delivery answered by a run, listed.
    platform.jobs.start();
    await page.getByTestId('agents-table').getByRole('link', { name: 'Billing helper' }).click();
    await page.getByRole('tab', { name: 'Webhook' }).click();
    await page.getByText('No webhook yet').waitFor();
    await page.getByRole('button', { name: 'Set up the webhook' }).click();
    const secret = await page.getByTestId('signing-secret').innerText();
    const hookUrl = await page.getByTestId('endpoint-url').innerText();
    assert.match(secret, /^whsec_/);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByTestId('agent-webhook-url').getByText(hookUrl).waitFor();
    const body = JSON.stringify({ event: 'invoice.overdue', customer: 'Acme' });
    const delivered = await fetch(hookUrl, { method: 'POST', headers: signedHeaders(secret, body, { id: 'msg_browser_1' }), body });
    assert.equal(delivered.status, 200, await delivered.clone().text());
    assert.equal(((await delivered.json()) as { status: string }).status, 'completed');
    await page.getByTestId('agent-webhook-deliveries').getByText('msg_browser_1').waitFor({ timeout: 10_000 });
    await snap(page, 'agents-webhook', { fullPage: true });
    await page.getByRole('tab', { name: 'Runs' }).click();
    await page.getByTestId('runs-table').getByText('webhook').first().waitFor();

    // The assistant, from any page: it asks before inviting someone, then does it as the owner.
    await nav.getByRole('link', { name: 'Members', exact: true }).click();
    await page.getByRole('button', { name: 'Assistant' }).click();
    const drawer = page.getByRole('dialog', { name: 'Assistant' });
    const modelPick = drawer.getByLabel('Assistant model');
    if (await modelPick.count()) await modelPick.selectOption('fake/gpt-4o-mini');
    await drawer.getByLabel('Ask the assistant').fill('call members__invite {"email":"grace@agents.test","role":"viewer"}');
    await drawer.getByRole('button', { name: 'Send' }).click();
    await drawer.getByText('needs your approval').waitFor();
    await snap(page, 'agents-assistant-confirm');
    await drawer.getByRole('button', { name: 'Approve' }).click();
    await drawer.getByTestId('assistant-tool').getByText('done').waitFor();
    await drawer.getByText(/Tool said: .*grace@agents\.test/).waitFor();
    const invited = await platform.db.withPlatform((tx) => tx.query(`select 1 from invitations where email = 'grace@agents.test'`));
    assert.equal(invited.rows.length, 1);
    assert.equal(await drawer.getByTestId('assistant-tool').count(), 1, 'one card for the call, approved then done');
    await page.getByText('grace@agents.test').first().waitFor(); // the page behind shows the new invitation
    await snap(page, 'agents-assistant');

    // The overview's memory card: built in, then moved to a Mem0 project created through its API.
    await page.keyboard.press('Escape');
    await nav.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByTestId('memory-status').getByText(/Built in/).waitFor();
    await page.getByRole('button', { name: 'Change provider' }).click();
    const provider = page.getByRole('dialog', { name: 'Memory provider' });
    await provider.getByLabel('Provider').selectOption('mem0');
    await provider.getByLabel('API URL').fill(mem0.url);
    await provider.getByLabel('Organisation id').fill('org_browser');
    await provider.getByLabel('Access key (vault secret)').selectOption('MEM0_API_KEY');
    await provider.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Memory moved to the Mem0 project proj-1-org_browser').waitFor();
    await page.getByTestId('memory-status').getByText('proj-1-org_browser').waitFor();
    assert.equal(mem0.state.projects.get('proj-1-org_browser'), 'atrium-acme-agents');
    await snap(page, 'agents-memory-mem0');

    // The agent's memory tab now works through the provider: added there, found by a search.
    await nav.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.getByTestId('agents-table').getByRole('link', { name: 'Billing helper' }).click();
    await page.getByRole('tab', { name: 'Memory' }).click();
    await page.getByTestId('memory-external').getByText('proj-1-org_browser').waitFor();
    await page.getByLabel('Memory', { exact: true }).fill('Acme closes its books on the 25th.');
    await page.getByRole('button', { name: 'Add memory' }).click();
    await page.getByText('Remembered').first().waitFor();
    assert.equal(mem0.state.memories.at(-1)?.memory, 'Acme closes its books on the 25th.');
    await page.getByLabel('Search').fill('when does Acme close its books');
    await page.getByTestId('memory-list').getByText('Acme closes its books on the 25th.').waitFor();
    await snap(page, 'agents-memory-tab-mem0');
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    await platform?.stop();
    await fake?.close();
    external?.server.closeAllConnections();
    external?.server.close();
    mem0?.server.closeAllConnections();
    mem0?.server.close();
  }
});
