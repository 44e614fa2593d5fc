// One agent: chat with it (streamed: tokens, tool calls and their results, memories recalled),
// its settings (the draft; publish makes it live), its memory, its runs and its log.
import { Fragment, useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import {
  streamAgentChat, useAgent, useAgentLogs, useAgentMemories, useClearLogs, useDeleteAgent, useForgetMemory, useMemoryQuota, useMemorySpace, usePublishAgent, useRemember, useRuns,
  useThreadMessages, useThreads, useTools, useUpdateAgent,
} from '../../api/agents.ts';
import type { Agent, AgentConfig, RunEvent } from '../../api/agents.ts';
import { formatUsd, useCallableModels } from '../../api/ai.ts';
import { errorMessage } from '../../api/client.ts';
import { keys } from '../../api/keys.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import { ConfirmMutationDialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { matchPath, navigate, useLocation } from '../../lib/router.tsx';
import { WebhookTab } from './agent-webhook-tab.tsx';
import './agents.css';
import '../usage/usage.css';

type Tab = 'chat' | 'settings' | 'memory' | 'webhook' | 'runs' | 'logs';
const TABS: Array<[Tab, string]> = [['chat', 'Chat'], ['settings', 'Settings'], ['memory', 'Memory'], ['webhook', 'Webhook'], ['runs', 'Runs'], ['logs', 'Logs']];
const n = (v: number) => v.toLocaleString('en-US');

export function AgentPage() {
  const { pathname } = useLocation();
  const id = matchPath('/ai/agents/:id', pathname)?.id ?? '';
  const agent = useAgent(id);
  const [tab, setTab] = useState<Tab>('chat');
  if (agent.isPending) return <Loading label="Loading the agent…" />;
  if (agent.isError) return <ErrorState error={agent.error} onRetry={() => void agent.refetch()} />;
  const a = agent.data;
  return (
    <>
      <PageHeader
        title={<span className="row">{a.name} {a.publishedVersion === null ? <Badge tone="warning">draft only</Badge> : <Badge tone="info">v{a.publishedVersion}</Badge>}{a.hasUnpublishedChanges && a.publishedVersion !== null ? <Badge tone="neutral">unpublished changes</Badge> : null}</span>}
        description={a.description || <>Runs <code>{a.draft.model}</code>{a.draft.tools.length ? ` with ${a.draft.tools.length} tool(s)` : ''}.</>}
        actions={<PublishButton agent={a} />}
      />
      <div className="tabs" role="tablist" aria-label="Agent">
        {TABS.map(([key, label]) => <button key={key} type="button" role="tab" aria-selected={tab === key} onClick={() => setTab(key)}>{label}</button>)}
      </div>
      {tab === 'chat' ? <ChatTab agent={a} /> : tab === 'settings' ? <SettingsTab agent={a} /> : tab === 'memory' ? <MemoryTab agent={a} /> : tab === 'webhook' ? <WebhookTab agent={a} /> : tab === 'runs' ? <RunsTab agent={a} /> : <LogsTab agent={a} />}
    </>
  );
}

function PublishButton({ agent }: { agent: Agent }) {
  const { can } = useSession();
  const publish = usePublishAgent(agent.id);
  const toast = useToast();
  if (!can('agent.manage')) return null;
  return (
    <button type="button" className="btn btn-primary" disabled={publish.isPending || !agent.hasUnpublishedChanges}
      onClick={() => publish.mutate(undefined, { onSuccess: (a) => toast.success(`Version ${a.publishedVersion} published`), onError: (e) => toast.error(errorMessage(e)) })}>
      {agent.hasUnpublishedChanges ? 'Publish' : 'Published'}
    </button>
  );
}

type Turn =
  | { kind: 'user'; text: string }
  | { kind: 'assistant'; text: string }
  | { kind: 'tool'; callId: string; tool: string; input: unknown; result?: { ok: boolean; output?: unknown; error?: { code: string; message: string } } }
  | { kind: 'recall'; memories: Array<{ id: string; text: string }> }
  | { kind: 'status'; text: string; tone: 'danger' | 'muted' };

function ChatTab({ agent }: { agent: Agent }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const ws = useSession().me.workspace.id;
  const threads = useThreads(agent.id);
  const [threadId, setThreadId] = useState<string | null>(null);
  const history = useThreadMessages(agent.id, threadId);
  const [live, setLive] = useState<Turn[]>([]);
  const [draft, setDraft] = useState('');
  const [isBusy, setIsBusy] = useState(false);
  // The last run's figures (or why it stopped), kept under the conversation once it is reloaded.
  const [lastRun, setLastRun] = useState<Turn | null>(null);
  const [useDraft, setUseDraft] = useState(agent.publishedVersion === null);
  const abort = useRef<AbortController | null>(null);
  const mayRun = can('agent.run');

  // The thread as stored: each tool call with the result that answered it.
  const results = new Map((history.data ?? []).filter((m) => m.role === 'tool').map((m) => {
    const value = safeJson(m.content) as { error?: { code: string; message: string } } | null;
    return [m.toolCallId ?? '', value && typeof value === 'object' && value.error ? { ok: false, error: value.error } : { ok: true, output: value }] as const;
  }));
  const past: Turn[] = (history.data ?? []).flatMap((m): Turn[] => (m.role === 'user' ? [{ kind: 'user', text: m.content }]
    : m.role === 'assistant' ? [...(m.content ? [{ kind: 'assistant' as const, text: m.content }] : []), ...(m.toolCalls ?? []).map((c) => ({ kind: 'tool' as const, callId: c.id, tool: c.name, input: safeJson(c.arguments), result: results.get(c.id) }))]
      : []));
  const turns = [...(threadId ? past : []), ...live, ...(lastRun && !isBusy ? [lastRun] : [])];

  async function send() {
    const message = draft.trim();
    if (!message) return;
    setDraft('');
    setIsBusy(true);
    const controller = new AbortController();
    abort.current = controller;
    setLive((l) => [...l, { kind: 'user', text: message }]);
    setLastRun(null);
    let current: string | null = threadId;
    try {
      await streamAgentChat(agent.id, { message, ...(threadId ? { threadId } : {}), ...(useDraft ? { useDraft: true } : {}) }, (e: RunEvent) => {
        if (e.type === 'run') current = e.threadId;
        else if (e.type === 'memory_recall' && e.count > 0) setLive((l) => [...l, { kind: 'recall', memories: e.memories }]);
        else if (e.type === 'token') {
          setLive((l) => {
            const last = l[l.length - 1];
            return last?.kind === 'assistant' ? [...l.slice(0, -1), { kind: 'assistant', text: last.text + e.text }] : [...l, { kind: 'assistant', text: e.text }];
          });
        } else if (e.type === 'tool_call') setLive((l) => [...l, { kind: 'tool', callId: e.callId, tool: e.tool, input: e.input }]);
        else if (e.type === 'tool_result') setLive((l) => l.map((t) => (t.kind === 'tool' && t.callId === e.callId ? { ...t, result: { ok: e.ok, output: e.output, error: e.error } } : t)));
        else if (e.type === 'done' && e.run.status !== 'completed') setLastRun({ kind: 'status', tone: 'danger', text: `Run ${e.run.status.replace('_', ' ')}: ${e.run.error?.message ?? ''}` });
        else if (e.type === 'done') setLastRun({ kind: 'status', tone: 'muted', text: `${n(e.run.inputTokens)} in · ${n(e.run.outputTokens)} out tokens · ${formatUsd(e.run.unpricedCalls ? null : e.run.costMicros)} · ${n(e.run.latencyMs ?? 0)} ms` });
        else if (e.type === 'error') setLastRun({ kind: 'status', tone: 'danger', text: e.message });
      }, controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) setLastRun({ kind: 'status', tone: 'danger', text: errorMessage(error) });
    } finally {
      setIsBusy(false);
      if (current && current !== threadId) {
        setThreadId(current);
        setLive([]);
      } else setLive([]);
      await qc.invalidateQueries({ queryKey: keys.workspace(ws, 'agents', agent.id) });
    }
  }

  return (
    <div className="agent-chat">
      <Card title="Conversations">
        <div className="agent-threads">
          <button type="button" aria-current={threadId === null} onClick={() => { setThreadId(null); setLive([]); setLastRun(null); }}>+ New conversation</button>
          {(threads.data ?? []).map((t) => <button key={t.id} type="button" aria-current={threadId === t.id} title={t.title} onClick={() => { setThreadId(t.id); setLive([]); setLastRun(null); }}>{t.title || 'Untitled'}</button>)}
        </div>
      </Card>
      <Card>
        {agent.publishedVersion === null && !can('agent.manage') ? <EmptyState icon="user" title="Not published yet">An admin must publish this agent before it can be used.</EmptyState> : (
          <>
            <div className="chat" aria-live="polite" data-testid="agent-chat">
              {turns.length === 0 ? <p className="muted">Ask {agent.name} something.{agent.draft.memory.mode === 'recall' ? ' It recalls its memories for each message.' : ''}</p> : turns.map((t, i) => <TurnView key={i} turn={t} />)}
            </div>
            <form className="chat-form" onSubmit={(e) => { e.preventDefault(); void send(); }}>
              <textarea className="input" aria-label="Message" value={draft} disabled={!mayRun} onChange={(e) => setDraft(e.target.value)} placeholder={mayRun ? 'Message' : 'Your role may not chat with agents'}
                onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); void send(); } }} />
              {isBusy ? <button type="button" className="btn btn-secondary" onClick={() => abort.current?.abort()}>Stop</button> : <button type="submit" className="btn btn-primary" disabled={!draft.trim() || !mayRun}>Send</button>}
            </form>
            {can('agent.manage') ? (
              <label className="small muted row" style={{ marginTop: 8 }}><input type="checkbox" checked={useDraft} onChange={(e) => setUseDraft(e.target.checked)} disabled={agent.publishedVersion === null} /> Run the draft (not the published version)</label>
            ) : null}
          </>
        )}
      </Card>
    </div>
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function TurnView({ turn }: { turn: Turn }) {
  if (turn.kind === 'user') return <div className="chat-message is-user">{turn.text}</div>;
  if (turn.kind === 'assistant') return <div className="chat-message is-assistant">{turn.text}</div>;
  if (turn.kind === 'recall') return <div className="recall-card" data-testid="recall">Recalled {turn.memories.length} memor{turn.memories.length === 1 ? 'y' : 'ies'}: {turn.memories.map((m) => `“${m.text.slice(0, 60)}”`).join(', ')}</div>;
  if (turn.kind === 'status') return <div className={turn.tone === 'danger' ? 'chat-meta log-level-error' : 'chat-meta'} data-testid="run-status">{turn.text}</div>;
  return (
    <div className="tool-card" data-testid="tool-call">
      <strong>{turn.tool}</strong> {turn.result ? (turn.result.ok ? <Badge tone="success">done</Badge> : <Badge tone="danger">{turn.result.error?.code ?? 'failed'}</Badge>) : <Badge tone="neutral">running…</Badge>}
      <pre>{JSON.stringify(turn.input, null, 1)}</pre>
      {turn.result ? <pre>{JSON.stringify(turn.result.ok ? turn.result.output : turn.result.error, null, 1)}</pre> : null}
    </div>
  );
}

function SettingsTab({ agent }: { agent: Agent }) {
  const { can } = useSession();
  const tools = useTools();
  const models = useCallableModels();
  const update = useUpdateAgent(agent.id);
  const remove = useDeleteAgent();
  const toast = useToast();
  const [isDeleting, setIsDeleting] = useState(false);
  const [form, setForm] = useState<AgentConfig>(agent.draft);
  const [meta, setMeta] = useState({ name: agent.name, description: agent.description, serviceRole: agent.serviceRole });
  const readOnly = !can('agent.manage');
  const modelOptions = [...new Set([form.model, ...(models.data ?? []).map((m) => m.id)])];
  return (
    <form className="form" onSubmit={(e) => {
      e.preventDefault();
      update.mutate({ ...meta, config: form }, { onSuccess: () => toast.success('Draft saved — publish to make it live') });
    }}>
      <div className="settings-grid">
        <Card title="Agent">
          <TextField label="Name" value={meta.name} disabled={readOnly} onChange={(e) => setMeta({ ...meta, name: e.target.value })} maxLength={80} required />
          <TextField label="Description" value={meta.description} disabled={readOnly} onChange={(e) => setMeta({ ...meta, description: e.target.value })} maxLength={2000} />
          <SelectField label="Model" value={form.model} disabled={readOnly} onChange={(e) => setForm({ ...form, model: e.target.value })} options={modelOptions.map((m) => ({ value: m, label: m }))} />
          <label className="field"><span className="field-label">Instructions</span>
            <textarea className="input" rows={6} value={form.systemPrompt} disabled={readOnly} maxLength={20000} onChange={(e) => setForm({ ...form, systemPrompt: e.target.value })} />
          </label>
          <SelectField label="Service role" hint="What it may do when no one is chatting (webhooks, workflows): at most your own role" value={meta.serviceRole} disabled={readOnly}
            onChange={(e) => setMeta({ ...meta, serviceRole: e.target.value as Agent['serviceRole'] })} options={[{ value: 'viewer', label: 'Viewer' }, { value: 'member', label: 'Member' }, { value: 'admin', label: 'Admin' }]} />
        </Card>
        <Card title="Tools" description="Each runs with the permissions of whoever chats (or the service role); a tool you may not use is refused at run time too.">
          <QueryView query={tools}>{(list) => (
            <div data-testid="tool-options">{list.filter((t) => !t.name.startsWith('test.')).map((t) => (
              <label key={t.name} className="tool-option">
                <input type="checkbox" disabled={readOnly} checked={form.tools.includes(t.name)} onChange={(e) => setForm({ ...form, tools: e.target.checked ? [...form.tools, t.name] : form.tools.filter((x) => x !== t.name) })} />
                <span><code>{t.name}</code> {t.isMutating ? <Badge tone="warning">changes data</Badge> : null} {t.isAllowed ? null : <Badge tone="neutral" title={`needs ${t.permission}`}>not for your role</Badge>}<br /><span className="small muted">{t.description}</span>
                  {t.calls ? <span className="small muted"> · {n(t.calls)} calls, p95 {t.p95Ms ?? '—'} ms</span> : null}</span>
              </label>
            ))}</div>
          )}</QueryView>
        </Card>
        <Card title="Memory and limits">
          <SelectField label="Memory" value={form.memory.mode} disabled={readOnly} onChange={(e) => setForm({ ...form, memory: { ...form.memory, mode: e.target.value as 'off' | 'recall' } })}
            options={[{ value: 'off', label: 'Off: only what the memory tool finds' }, { value: 'recall', label: 'Recall: the closest memories go into each answer' }]} />
          <TextField label="Memories recalled" type="number" min={1} max={20} disabled={readOnly} value={form.memory.topK} onChange={(e) => setForm({ ...form, memory: { ...form.memory, topK: Number(e.target.value) } })} />
          <TextField label="Model calls per run" type="number" min={1} max={25} disabled={readOnly} value={form.limits.maxSteps} onChange={(e) => setForm({ ...form, limits: { ...form.limits, maxSteps: Number(e.target.value) } })} />
          <TextField label="Tokens per run" type="number" min={100} max={2000000} disabled={readOnly} value={form.limits.maxTokensPerRun} onChange={(e) => setForm({ ...form, limits: { ...form.limits, maxTokensPerRun: Number(e.target.value) } })} />
          <TextField label="Run timeout (seconds)" type="number" min={1} max={600} disabled={readOnly} value={form.limits.runTimeoutMs / 1000} onChange={(e) => setForm({ ...form, limits: { ...form.limits, runTimeoutMs: Math.round(Number(e.target.value) * 1000) } })} />
        </Card>
      </div>
      <FormError message={update.error ? errorMessage(update.error) : null} />
      {readOnly ? null : (
        <div className="form-actions">
          <button type="button" className="btn btn-ghost" onClick={() => setIsDeleting(true)}>Delete agent</button>
          <button type="submit" className="btn btn-primary" disabled={update.isPending}>Save draft</button>
        </div>
      )}
      <ConfirmMutationDialog target={isDeleting ? agent : null} onDone={() => setIsDeleting(false)} title={(t) => `Delete ${t.name}?`}
        description={() => 'Its versions, conversations, runs, log and memories go with it.'} confirmLabel="Delete agent" mutation={remove} variables={(t) => t.id}
        successMessage={(t) => { navigate('/ai/agents'); return `${t.name} deleted`; }} />
    </form>
  );
}

function MemoryTab({ agent }: { agent: Agent }) {
  const { can } = useSession();
  const [search, setSearch] = useState('');
  const space = useMemorySpace();
  const external = space.data?.provider === 'mem0' ? space.data : null;
  // An external provider lists nothing here (its dashboard does); a search is a recall, which it answers.
  const memories = useAgentMemories(agent.id, search, { enabled: space.isSuccess && (!external || search.trim() !== '') });
  const quota = useMemoryQuota();
  const remember = useRemember(agent.id);
  const forget = useForgetMemory();
  const toast = useToast();
  const [text, setText] = useState('');
  const [tags, setTags] = useState('');
  const [isShared, setIsShared] = useState(false);
  const own = quota.data?.agents.find((x) => x.agentId === agent.id);
  return (
    <div className="settings-grid">
      <Card title="Add a memory" description="Facts the agent should know in later conversations. The same fact noted again (whatever the case and punctuation) updates the memory already there.">
        {can('memory.write') ? (
          <form className="form" onSubmit={(e) => {
            e.preventDefault();
            remember.mutate({ text, tags: tags.split(',').map((t) => t.trim()).filter(Boolean), ...(isShared ? { isShared: true } : {}) }, {
              onSuccess: (m) => { toast.success(m.isMerged ? 'Merged into a memory it already had' : 'Remembered'); setText(''); setTags(''); },
            });
          }}>
            <label className="field"><span className="field-label">Memory</span><textarea className="input" rows={3} value={text} onChange={(e) => setText(e.target.value)} maxLength={8000} required /></label>
            <TextField label="Tags" hint="Comma-separated" value={tags} onChange={(e) => setTags(e.target.value)} />
            <label className="small row"><input type="checkbox" checked={isShared} onChange={(e) => setIsShared(e.target.checked)} /> Shared with every agent of the workspace</label>
            <FormError message={remember.error ? errorMessage(remember.error) : null} />
            <div className="form-actions"><button type="submit" className="btn btn-primary" disabled={remember.isPending || !text.trim()}>Add memory</button></div>
          </form>
        ) : <p className="muted">Your role may read memories, not add them.</p>}
        {external ? (
          <p className="small muted" data-testid="memory-quota">Kept in the Mem0 project <code>{external.projectId}</code>: its quota applies.</p>
        ) : quota.data ? (
          <p className="small muted" data-testid="memory-quota">
            This agent: {n(own?.count ?? 0)} of {n(quota.data.agentLimits.maxCount)} memories · workspace: {n(quota.data.workspace.count)} of {n(quota.data.workspace.maxCount)} ({(quota.data.workspace.bytes / 1024).toFixed(1)} KB of {n(quota.data.workspace.maxBytes / 1024 / 1024)} MB)
          </p>
        ) : null}
        {quota.data && !external ? (
          <p className="small muted" data-testid="memory-recall-mode">
            {quota.data.recall.mode === 'words_and_meaning'
              ? <>Recall: by words and by meaning ({quota.data.recall.embeddingModel}){quota.data.recall.pending ? ` · ${n(quota.data.recall.pending)} waiting for their embedding` : ' · every memory embedded'}</>
              : <>Recall: by words and near spellings. For recall by meaning, a workspace admin names an embedding model in the setting <code>memory.embedding_model</code>.</>}
          </p>
        ) : null}
      </Card>
      <Card title="Memories" description="Its own and the workspace's shared ones, newest first; search by words (full text).">
        <TextField label="Search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="What does it know about…" />
        {external && !search.trim() ? (
          <p className="muted" data-testid="memory-external">This workspace's memory is kept in the Mem0 project <code>{external.projectId}</code>: search to see what the agent would recall; list, edit and delete memories in Mem0.</p>
        ) : <QueryView query={memories}>{(list) => list.length === 0 ? <p className="muted">{search ? 'Nothing close to that.' : 'No memory yet.'}</p> : (
          <ul className="list" data-testid="memory-list">{list.map((m) => (
            <li key={m.id} className="row" style={{ justifyContent: 'space-between', alignItems: 'flex-start', padding: '6px 0' }}>
              <span>{m.text}{m.tags.length ? <span className="small muted"> · {m.tags.join(', ')}</span> : null}{m.agentId === null ? <> <Badge tone="info">shared</Badge></> : null}</span>
              {can('memory.write') && !external ? <button type="button" className="btn btn-ghost btn-sm" onClick={() => forget.mutate(m.id, { onSuccess: () => toast.success('Forgotten') })}>Forget</button> : null}
            </li>
          ))}</ul>
        )}</QueryView>}
      </Card>
    </div>
  );
}

function RunsTab({ agent }: { agent: Agent }) {
  const runs = useRuns(agent.id);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Card title="Runs" description="Each answer is a run: its steps, tokens, cost and time.">
      <QueryView query={runs}>{(list) => list.length === 0 ? <p className="muted">No run yet: chat with the agent, or send it a webhook.</p> : (
        <table className="table table-compact" data-testid="runs-table">
          <thead><tr><th scope="col">When</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Version</th><th scope="col">Steps</th><th scope="col">Tokens</th><th scope="col">Cost</th><th scope="col">Time</th></tr></thead>
          <tbody>{list.map((r) => (
            <Fragment key={r.id}>
              <tr onClick={() => setOpen(open === r.id ? null : r.id)} style={{ cursor: 'pointer' }}>
                <td><RelativeTime iso={r.startedAt} /></td>
                <td><Badge tone={r.status === 'completed' ? 'success' : r.status === 'running' || r.status === 'queued' ? 'info' : 'danger'}>{r.status.replace('_', ' ')}</Badge></td>
                <td className="small">{r.trigger}</td>
                <td>{r.version === null ? 'draft' : `v${r.version}`}</td>
                <td>{r.modelCalls} model · {r.toolCalls} tool</td>
                <td>{n(r.inputTokens + r.outputTokens)}</td>
                <td>{r.unpricedCalls ? 'unpriced' : formatUsd(r.costMicros)}</td>
                <td>{r.latencyMs === null ? '—' : `${n(r.latencyMs)} ms`}</td>
              </tr>
              {open === r.id ? <tr><td colSpan={8}><pre className="small" style={{ whiteSpace: 'pre-wrap' }}>{JSON.stringify(r.steps, null, 1)}{r.error ? `\n${r.error.code}: ${r.error.message}` : ''}</pre></td></tr> : null}
            </Fragment>
          ))}</tbody>
        </table>
      )}</QueryView>
    </Card>
  );
}

function LogsTab({ agent }: { agent: Agent }) {
  const { can } = useSession();
  const [level, setLevel] = useState<'' | 'info' | 'warn' | 'error'>('');
  const [search, setSearch] = useState('');
  const logs = useAgentLogs(agent.id, { ...(level ? { level } : {}), ...(search.trim() ? { search: search.trim() } : {}), limit: 200 });
  const clear = useClearLogs(agent.id);
  const [isClearing, setIsClearing] = useState(false);
  const bottom = useRef<HTMLDivElement>(null);
  useEffect(() => { bottom.current?.scrollIntoView?.({ block: 'nearest' }); }, [logs.data?.[0]?.id]);
  return (
    <Card title="Log" description="Live: new entries appear as runs happen." actions={can('agent.manage') ? <button type="button" className="btn btn-ghost btn-sm" onClick={() => setIsClearing(true)}>Clear logs</button> : null}>
      <div className="row">
        <SelectField label="Level" value={level} onChange={(e) => setLevel(e.target.value as typeof level)} options={[{ value: '', label: 'All' }, { value: 'info', label: 'Info' }, { value: 'warn', label: 'Warnings' }, { value: 'error', label: 'Errors' }]} />
        <TextField label="Search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <QueryView query={logs}>{(list) => list.length === 0 ? <p className="muted">Nothing logged{level || search ? ' that matches' : ' yet'}.</p> : (
        <table className="table table-compact" data-testid="logs-table">
          <thead><tr><th scope="col">When</th><th scope="col">Level</th><th scope="col">Type</th><th scope="col">Message</th><th scope="col">Tokens</th></tr></thead>
          <tbody>{list.map((l) => (
            <tr key={l.id}><td><RelativeTime iso={l.createdAt} /></td><td className={`log-level-${l.level}`}>{l.level}</td><td><code>{l.type}</code></td><td>{l.message}</td><td>{l.tokens ?? ''}</td></tr>
          ))}</tbody>
        </table>
      )}</QueryView>
      <div ref={bottom} />
      <ConfirmMutationDialog target={isClearing ? agent : null} onDone={() => setIsClearing(false)} title={() => 'Clear the log?'}
        description={() => 'Every entry of this agent\'s log is deleted (runs are kept). The audit trail records who cleared it.'} confirmLabel="Clear logs"
        mutation={clear} variables={() => undefined} successMessage={() => 'Log cleared'} />
    </Card>
  );
}
