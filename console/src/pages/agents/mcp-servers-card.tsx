// The workspace's external MCP servers: their tools join the agents' tools as mcp.<server>.<tool>.
// Admins add one (URL, the vault secret holding its credential), see whether it answered and
// which tools it announced, refresh, pause or remove it.
import { useState } from 'react';
import { useAddMcpServer, useChangeMcpServer, useMcpServers, useRefreshMcpServer, useRemoveMcpServer } from '../../api/agents.ts';
import type { McpServer } from '../../api/agents.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useSecrets } from '../../api/secrets.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import { ConfirmMutationDialog, Dialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link } from '../../lib/router.tsx';

const STATUS_TONE = { connected: 'success', failed: 'danger', pending: 'neutral' } as const;

export function McpServersCard() {
  const { can } = useSession();
  const servers = useMcpServers();
  const change = useChangeMcpServer();
  const refresh = useRefreshMcpServer();
  const remove = useRemoveMcpServer();
  const toast = useToast();
  const [isAdding, setIsAdding] = useState(false);
  const [removing, setRemoving] = useState<McpServer | null>(null);
  const mayManage = can('mcp_server.manage');
  const add = mayManage ? <button type="button" className="btn btn-secondary" onClick={() => setIsAdding(true)}><Icon name="plus" /> Add MCP server</button> : null;
  const busy = refresh.isPending || change.isPending;
  return (
    <Card title="Tools from other MCP servers" description="Connect a CRM's, a ticketing tool's or your own Model Context Protocol server: its tools become tools your agents and the assistant can use (mcp.<server>.<tool>), with the credential kept in the vault." actions={add}>
      <QueryView query={servers} loadingLabel="Loading MCP servers…">
        {(list) => list.length === 0 ? (
          <EmptyState icon="layers" title="No MCP server connected" action={add}>
            Any server speaking MCP over Streamable HTTP works. Put its token in the <Link to="/secrets">vault</Link> first; Atrium sends it only to that server.
          </EmptyState>
        ) : (
          <table className="table" data-testid="mcp-servers-table">
            <thead><tr><th scope="col">Server</th><th scope="col">Status</th><th scope="col">Tools</th><th scope="col">Checked</th>{mayManage ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
            <tbody>{list.map((s) => (
              <tr key={s.id}>
                <td><strong>{s.name}</strong>{s.isEnabled ? null : <> <Badge tone="neutral">paused</Badge></>}<div className="small muted"><code className="break-all">{s.url}</code>{s.secretName ? <> · secret <code>{s.secretName}</code></> : ' · no credential'}</div></td>
                <td><Badge tone={STATUS_TONE[s.status]}>{s.status}</Badge>{s.lastError ? <div className="small muted" data-testid="mcp-server-error">{s.lastError}</div> : null}</td>
                <td className="mcp-tools">{s.tools.length ? s.tools.map((t) => <code key={t.name} className="tool-chip" title={t.description}>{t.name}</code>) : <span className="muted">none announced</span>}</td>
                <td>{s.checkedAt ? <RelativeTime iso={s.checkedAt} /> : '—'}</td>
                {mayManage ? (
                  <td className="cell-actions">
                    <button type="button" className="btn btn-ghost btn-sm" disabled={busy} onClick={() => refresh.mutate(s.id, {
                      onSuccess: (r) => (r.status === 'connected' ? toast.success(`${r.name}: ${r.tools.length} tool${r.tools.length === 1 ? '' : 's'}`) : toast.error(`${r.name}: ${r.lastError ?? 'not reachable'}`)),
                      onError: (err) => toast.error(errorMessage(err)),
                    })}>Refresh</button>
                    <button type="button" className="btn btn-ghost btn-sm" disabled={busy} onClick={() => change.mutate({ id: s.id, patch: { isEnabled: !s.isEnabled } }, { onError: (err) => toast.error(errorMessage(err)) })}>{s.isEnabled ? 'Pause' : 'Resume'}</button>
                    <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setRemoving(s)}>Remove</button>
                  </td>
                ) : null}
              </tr>
            ))}</tbody>
          </table>
        )}
      </QueryView>
      {isAdding ? <AddServerDialog onClose={() => setIsAdding(false)} /> : null}
      <ConfirmMutationDialog target={removing} onDone={() => setRemoving(null)} title={(s) => `Remove ${s.name}?`}
        description={(s) => `Its ${s.tools.length} tool${s.tools.length === 1 ? '' : 's'} leave the agents that use them. The secret stays in the vault.`}
        confirmLabel="Remove server" mutation={remove} variables={(s) => s} successMessage={(s) => `${s.name} removed`} />
    </Card>
  );
}

function AddServerDialog({ onClose }: { onClose: () => void }) {
  const add = useAddMcpServer();
  const secrets = useSecrets();
  const toast = useToast();
  const [form, setForm] = useState({ name: '', url: 'https://', secretName: '', authHeader: 'authorization' });
  const formError = add.error && !['name', 'url', 'secretName', 'authHeader'].some((f) => fieldError(add.error, f)) ? errorMessage(add.error) : null;
  return (
    <Dialog open onClose={onClose} title="Add an MCP server" description="Atrium connects at once and lists its tools; a server that cannot be reached is kept with the reason, to fix and refresh.">
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        add.mutate({ name: form.name.trim(), url: form.url.trim(), secretName: form.secretName || null, authHeader: form.authHeader.trim() || 'authorization' }, {
          onSuccess: (s) => {
            if (s.status === 'connected') toast.success(`${s.name} connected: ${s.tools.length} tool${s.tools.length === 1 ? '' : 's'}`);
            else toast.error(`${s.name} added, but ${s.lastError ?? 'it did not answer'}`);
            onClose();
          },
        });
      }}>
        <TextField label="Name" hint="Lower case, digits and _: its tools are named mcp.<name>.<tool>" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })}
          required maxLength={24} pattern="[a-z][a-z0-9_]*" error={fieldError(add.error, 'name')} />
        <TextField label="URL" hint="The Streamable HTTP endpoint, e.g. https://mcp.example.com/mcp" type="url" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} required maxLength={2048} error={fieldError(add.error, 'url')} />
        <SelectField label="Credential (vault secret)" value={form.secretName} onChange={(e) => setForm({ ...form, secretName: e.target.value })} error={fieldError(add.error, 'secretName')}
          options={[{ value: '', label: 'None: the server needs no authentication' }, ...(secrets.data ?? []).map((s) => ({ value: s.name, label: s.name }))]} />
        <TextField label="Sent as header" hint="authorization sends “Bearer <secret>”; another header (x-api-key) sends the secret as its value" value={form.authHeader}
          onChange={(e) => setForm({ ...form, authHeader: e.target.value })} maxLength={100} pattern="[A-Za-z0-9-]+" error={fieldError(add.error, 'authHeader')} />
        <FormError message={formError} />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={add.isPending}>{add.isPending ? 'Connecting…' : 'Add server'}</button>
        </div>
      </form>
    </Dialog>
  );
}
