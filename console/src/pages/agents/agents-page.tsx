// The workspace's agents: what each runs (model, version, tools), and a first one in a minute.
import { useState } from 'react';
import { useAgents, useCreateAgent } from '../../api/agents.ts';
import { useCallableModels } from '../../api/ai.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link, navigate } from '../../lib/router.tsx';
import { McpServersCard } from './mcp-servers-card.tsx';
import './agents.css';

export function AgentsPage() {
  const { can } = useSession();
  const agents = useAgents();
  const [isCreating, setIsCreating] = useState(false);
  const mayManage = can('agent.manage');
  const create = mayManage ? <button type="button" className="btn btn-primary" onClick={() => setIsCreating(true)}><Icon name="plus" /> New agent</button> : null;
  return (
    <>
      <PageHeader title="Agents" description="Assistants with a model, instructions, tools and a memory of their own. Every call they make goes through the AI gateway: metered, and stopped by your budgets before it is sent." actions={create} />
      <Card>
        <QueryView query={agents} loadingLabel="Loading agents…">
          {(list) => list.length === 0 ? (
            <EmptyState icon="user" title="No agent yet" action={create}>
              An agent answers in chat, remembers what it is told, and can look things up with its tools — as the person talking to it, never with more rights.
              {' '}It needs a model: <Link to="/ai/providers">connect a provider</Link> first if you have none.
            </EmptyState>
          ) : (
            <table className="table" data-testid="agents-table">
              <thead><tr><th scope="col">Agent</th><th scope="col">Model</th><th scope="col">Tools</th><th scope="col">Version</th><th scope="col">Updated</th></tr></thead>
              <tbody>{list.map((a) => (
                <tr key={a.id}>
                  <td><Link to={`/ai/agents/${a.id}`}><strong>{a.name}</strong></Link>{a.description ? <div className="small muted">{a.description}</div> : null}</td>
                  <td><code>{a.draft.model}</code></td>
                  <td>{a.draft.tools.length ? a.draft.tools.map((t) => <code key={t} className="tool-chip">{t}</code>) : <span className="muted">none</span>}</td>
                  <td>{a.publishedVersion === null ? <Badge tone="warning">draft only</Badge> : <>v{a.publishedVersion}{a.hasUnpublishedChanges ? <> <Badge tone="info">edited</Badge></> : null}</>}</td>
                  <td><RelativeTime iso={a.updatedAt} /></td>
                </tr>
              ))}</tbody>
            </table>
          )}
        </QueryView>
      </Card>
      <McpServersCard />
      <McpCard />
      {isCreating ? <NewAgentDialog onClose={() => setIsCreating(false)} /> : null}
    </>
  );
}

/** The workspace's tools for external agents: the MCP URL and how to connect with an API key. */
function McpCard() {
  const url = `${window.location.origin}/api/v1/mcp`;
  const command = `claude mcp add --transport http atrium ${url} --header "Authorization: Bearer $ATRIUM_API_KEY"`;
  return (
    <Card title="Use these tools from Claude or an IDE (MCP)" description="The workspace's tools are a Model Context Protocol server (Streamable HTTP). Connect with an API key: the client sees the tools that key's role may use, and every call runs with its permissions.">
      <p className="small muted">Server URL</p>
      <p><code data-testid="mcp-url">{url}</code> <CopyButton text={url} className="btn btn-ghost btn-sm" /></p>
      <p className="small muted">Claude Code <CopyButton text={command} className="btn btn-ghost btn-sm" /></p>
      <pre className="snippet">{command}</pre>
      <p className="small muted">Other clients: the same URL with the header <code>Authorization: Bearer &lt;API key&gt;</code>. <Link to="/api-keys">Create an API key</Link> for it, with the smallest role that does the job.</p>
    </Card>
  );
}

function NewAgentDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateAgent();
  const models = useCallableModels();
  const toast = useToast();
  const [form, setForm] = useState({ name: '', model: '', systemPrompt: 'You are a helpful assistant for our clients. Answer briefly.' });
  const model = form.model || models.data?.[0]?.id || '';
  const formError = create.error && !['name', 'config'].some((f) => fieldError(create.error, f)) ? errorMessage(create.error) : null;
  return (
    <Dialog open onClose={onClose} title="New agent" description="A draft: try it in its chat, then publish it for everyone.">
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name: form.name.trim(), config: { model, systemPrompt: form.systemPrompt } }, {
          onSuccess: (a) => { toast.success(`${a.name} created`); onClose(); navigate(`/ai/agents/${a.id}`); },
        });
      }}>
        <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required maxLength={80} error={fieldError(create.error, 'name')} />
        {models.isPending ? <p className="small muted">Loading the models you can call…</p> : models.data?.length ? (
          <SelectField label="Model" value={model} onChange={(e) => setForm({ ...form, model: e.target.value })} options={models.data.map((m) => ({ value: m.id, label: m.id }))} />
        ) : (
          <TextField label="Model" hint="An alias or provider/model; no provider is connected yet" value={form.model} onChange={(e) => setForm({ ...form, model: e.target.value })} required />
        )}
        <label className="field"><span className="field-label">Instructions</span>
          <textarea className="input" rows={4} value={form.systemPrompt} onChange={(e) => setForm({ ...form, systemPrompt: e.target.value })} maxLength={20000} />
        </label>
        <FormError message={formError} />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !model}>{create.isPending ? 'Creating…' : 'Create agent'}</button>
        </div>
      </form>
    </Dialog>
  );
}
