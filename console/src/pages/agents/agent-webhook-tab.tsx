// An agent's webhook: the URL to give a sender, the mode (answer in the response, or 202 and the
// answer to a callback URL), how long a response waits, the secret (shown once, rotatable), a
// signing example, and the deliveries received with the runs they started.
import { useState } from 'react';
import { useAgentWebhook, useRemoveAgentWebhook, useRotateAgentWebhookSecret, useSetAgentWebhook } from '../../api/agents.ts';
import type { Agent, AgentWebhook } from '../../api/agents.ts';
import { useInboundDeliveries } from '../../api/webhooks.ts';
import { errorMessage } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { ConfirmMutationDialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Card } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { SecretDialog } from '../../components/secret-dialog.tsx';
import type { Revealed } from '../../components/secret-dialog.tsx';
import { useToast } from '../../components/toast.tsx';

function revealedOf(title: string, w: AgentWebhook): Revealed | null {
  const callback = w.callbackSecret ? { label: 'Callback secret (verify the answers posted to your URL with it)', secret: w.callbackSecret } : undefined;
  if (w.secret) return { title, secret: w.secret, url: w.url ?? undefined, ...(callback ? { extra: callback } : {}) };
  if (callback) return { title, secret: callback.secret, secretLabel: callback.label };
  return null;
}

export function WebhookTab({ agent }: { agent: Agent }) {
  const { can } = useSession();
  const webhook = useAgentWebhook(agent.id);
  const set = useSetAgentWebhook(agent.id);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const toast = useToast();
  const canManage = can('agent.manage');
  return (
    <>
      <QueryView query={webhook}>{(w) => !w.isSet ? (
        <EmptyState
          title="No webhook yet"
          action={canManage ? (
            <button type="button" className="btn btn-primary" disabled={set.isPending}
              onClick={() => set.mutate({ mode: 'sync' }, { onSuccess: (r) => setRevealed(revealedOf('Webhook created', r)), onError: (e) => toast.error(errorMessage(e)) })}>
              Set up the webhook
            </button>
          ) : undefined}
        >
          Give other services (a CRM, a form, a monitoring tool) a signed URL: each delivery becomes a run of this agent, acting with its service role. A repeated delivery never starts a second run.
        </EmptyState>
      ) : <WebhookSettings agent={agent} webhook={w} canManage={canManage} onSecret={setRevealed} />}</QueryView>
      {revealed ? <SecretDialog revealed={revealed} onClose={() => setRevealed(null)} /> : null}
    </>
  );
}

function WebhookSettings({ agent, webhook, canManage, onSecret }: { agent: Agent; webhook: AgentWebhook; canManage: boolean; onSecret: (r: Revealed) => void }) {
  const set = useSetAgentWebhook(agent.id);
  const rotate = useRotateAgentWebhookSecret(agent.id);
  const remove = useRemoveAgentWebhook();
  const toast = useToast();
  const [isRemoving, setIsRemoving] = useState(false);
  const [form, setForm] = useState({ mode: webhook.mode, waitSeconds: webhook.waitSeconds, callbackUrl: webhook.callbackUrl ?? '', isEnabled: webhook.isEnabled });
  const url = webhook.url ?? '';
  return (
    <div className="webhook-grid">
      <Card title="Webhook" description="Senders sign each delivery with the secret (Standard Webhooks). The payload is given to the agent; it runs the published version.">
        <p className="small muted">URL to give the sender</p>
        <p><code className="break-all" data-testid="agent-webhook-url">{url}</code> <CopyButton text={url} className="btn btn-ghost btn-sm" /></p>
        <p className="row">
          {webhook.isEnabled ? <Badge tone="success">enabled</Badge> : <Badge tone="neutral">disabled</Badge>}
          {agent.publishedVersion === null ? <Badge tone="warning">publish the agent first: deliveries are refused</Badge> : null}
          {webhook.callbackIsEnabled === false ? <Badge tone="danger">callback disabled after failed deliveries</Badge> : null}
        </p>
        {webhook.secretRotatedAt ? <p className="small muted">Secret rotated <RelativeTime iso={webhook.secretRotatedAt} />{webhook.hasPreviousSecret ? ' (the previous one still verifies for a while)' : ''}.</p> : null}
        <form className="form" onSubmit={(e) => {
          e.preventDefault();
          set.mutate({ mode: form.mode, waitSeconds: form.waitSeconds, isEnabled: form.isEnabled, callbackUrl: form.callbackUrl.trim() ? form.callbackUrl.trim() : null }, {
            onSuccess: (r) => {
              const shown = revealedOf('Callback created', r);
              if (shown) onSecret(shown);
              else toast.success('Webhook saved');
            },
          });
        }}>
          <SelectField label="Answer" value={form.mode} disabled={!canManage} onChange={(e) => setForm({ ...form, mode: e.target.value as 'sync' | 'async' })}
            options={[{ value: 'sync', label: 'In the response (sync): 202 with the run if it takes longer than the wait' }, { value: 'async', label: 'Later (async): 202 at once, the answer posted to the callback URL' }]} />
          {form.mode === 'sync' ? (
            <TextField label="Wait (seconds)" type="number" min={0} max={120} disabled={!canManage} value={form.waitSeconds} onChange={(e) => setForm({ ...form, waitSeconds: Number(e.target.value) })} />
          ) : null}
          <TextField label="Callback URL" hint="Every answer is POSTed here, signed with its own secret and retried; empty for none" type="url" disabled={!canManage}
            value={form.callbackUrl} placeholder="https://example.com/agent-answers" onChange={(e) => setForm({ ...form, callbackUrl: e.target.value })} />
          <label className="small row"><input type="checkbox" disabled={!canManage} checked={form.isEnabled} onChange={(e) => setForm({ ...form, isEnabled: e.target.checked })} /> Accept deliveries</label>
          <FormError message={set.error ? errorMessage(set.error) : null} />
          {canManage ? (
            <div className="form-actions">
              <button type="button" className="btn btn-ghost" onClick={() => setIsRemoving(true)}>Remove webhook</button>
              <button type="button" className="btn btn-secondary" disabled={rotate.isPending}
                onClick={() => rotate.mutate(undefined, { onSuccess: (r) => { const shown = revealedOf('New webhook secret', r); if (shown) onSecret(shown); }, onError: (e) => toast.error(errorMessage(e)) })}>
                Rotate secret
              </button>
              <button type="submit" className="btn btn-primary" disabled={set.isPending}>Save</button>
            </div>
          ) : null}
        </form>
      </Card>
      <Card title="Send one" description="From Node.js with the standardwebhooks package (any Standard Webhooks library works). A repeated webhook-id gets the first answer again.">
        <pre className="snippet" data-testid="webhook-example">{`import { Webhook } from 'standardwebhooks';

const body = JSON.stringify({ event: 'ticket.created', subject: 'Printer on fire' });
const id = \`msg_\${crypto.randomUUID()}\`;
const at = new Date();
const res = await fetch('${url}', {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(process.env.AGENT_WEBHOOK_SECRET).sign(id, at, body),
  },
  body,
});
console.log(res.status, await res.json()); // 200 { runId, status, message } in sync mode`}</pre>
      </Card>
      <Deliveries agentId={agent.id} />
      <ConfirmMutationDialog target={isRemoving ? agent : null} onDone={() => setIsRemoving(false)} title={(t) => `Remove ${t.name}'s webhook?`}
        description={() => 'Senders get 404 from now on; the deliveries received and the callback go with it. Setting it up again makes a new secret.'}
        confirmLabel="Remove webhook" mutation={remove} variables={(t) => t.id} successMessage={() => 'Webhook removed'} />
    </div>
  );
}

function Deliveries({ agentId }: { agentId: string }) {
  const deliveries = useInboundDeliveries(agentId);
  return (
    <Card className="webhook-wide" title="Deliveries received" description="The last 50, newest first; the run each one started is in the Runs tab.">
      <QueryView query={deliveries}>{(page) => page.data.length === 0 ? <p className="muted">Nothing received yet.</p> : (
        <table className="table table-compact" data-testid="agent-webhook-deliveries">
          <thead><tr><th>Received</th><th>webhook-id</th><th>Answer</th><th>Size</th></tr></thead>
          <tbody>{page.data.map((d) => (
            <tr key={d.id}>
              <td><RelativeTime iso={d.receivedAt} /></td>
              <td><code className="small">{d.webhookId}</code></td>
              <td>{d.outcome === 'accepted' ? <Badge tone="success">{d.responseStatus} accepted</Badge> : <Badge tone="danger" title={d.error ?? ''}>{d.responseStatus} refused</Badge>}{d.error ? <span className="small muted"> {d.error}</span> : null}</td>
              <td className="small muted">{d.bodyBytes < 1024 ? `${d.bodyBytes} B` : `${(d.bodyBytes / 1024).toFixed(1)} KB`}</td>
            </tr>
          ))}</tbody>
        </table>
      )}</QueryView>
    </Card>
  );
}
