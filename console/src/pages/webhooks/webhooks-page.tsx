// Webhooks: inbound endpoints (URL to give the sender, secret shown once, received deliveries,
// replay) and outbound event subscriptions (events, status, deliveries with their attempts,
// redeliver, send test). Actions are hidden without webhook.manage; the server decides anyway.
import { useState } from 'react';
import {
  useCreateEndpoint, useCreateSubscription, useDeleteEndpoint, useDeleteSubscription, useEventTypes, useInboundDeliveries, useInboundDelivery,
  useOutboundDeliveries, useOutboundDelivery, useRedeliver, useReplayEndpoint, useRotateEndpointSecret, useRotateSubscriptionSecret, useSendTestEvent,
  useSubscriptions, useUpdateEndpoint, useUpdateSubscription, useWebhookEndpoints,
} from '../../api/webhooks.ts';
import type { EventSubscription, WebhookEndpoint } from '../../api/webhooks.ts';
import { useWorkflows } from '../../api/workflows.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { SecretDialog } from '../../components/secret-dialog.tsx';
import type { Revealed } from '../../components/secret-dialog.tsx';
import { ConfirmMutationDialog, Dialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link } from '../../lib/router.tsx';

/** JSON bodies indented (they are shown, not re-sent); anything else as received. */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export function WebhooksPage() {
  const { can } = useSession();
  const canManage = can('webhook.manage');
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Receive signed events from other services (inbound endpoints start workflows) and send this workspace's events to your URLs (event subscriptions). Both use the Standard Webhooks signature scheme."
      />
      <EndpointsCard canManage={canManage} onSecret={setRevealed} />
      <SubscriptionsCard canManage={canManage} onSecret={setRevealed} />
      {revealed ? <SecretDialog revealed={revealed} onClose={() => setRevealed(null)} /> : null}
    </>
  );
}

// ---- inbound ---------------------------------------------------------------------------------

function EndpointsCard({ canManage, onSecret }: { canManage: boolean; onSecret: (r: Revealed) => void }) {
  const endpoints = useWebhookEndpoints();
  const update = useUpdateEndpoint();
  const remove = useDeleteEndpoint();
  const rotate = useRotateEndpointSecret();
  const toast = useToast();
  const [isCreating, setCreating] = useState(false);
  const [viewing, setViewing] = useState<WebhookEndpoint | null>(null);
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);
  const createButton = canManage ? (
    <button type="button" className="btn btn-primary btn-sm" onClick={() => setCreating(true)}><Icon name="plus" /> New endpoint</button>
  ) : null;

  return (
    <Card title="Inbound endpoints" description="Each endpoint has its own URL and secret; a repeated webhook-id is answered again, never run twice." actions={createButton} id="webhook-endpoints">
      <QueryView query={endpoints} loadingLabel="Loading endpoints…">
        {(list) => list.length === 0 ? (
          <EmptyState icon="inbox" title="No inbound endpoint yet" action={createButton}>
            {canManage ? 'Create one to let a service (Stripe, GitHub, your app) trigger a workflow.' : 'An owner or admin can create endpoints.'}
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Target</th><th scope="col">Status</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {list.map((e) => (
                  <tr key={e.id}>
                    <td><strong>{e.name}</strong>{e.isOrdered ? <div className="muted small">Ordered</div> : null}</td>
                    <td><code className="small">{e.url}</code> <CopyButton text={e.url} className="btn btn-ghost btn-sm" /></td>
                    <td>{e.workflowId ? <Link to={`/workflows/${e.workflowId}`}>Workflow</Link> : <span className="muted">Store only</span>}</td>
                    <td>{e.isEnabled ? <Badge tone="success">Enabled</Badge> : <Badge tone="warning">Disabled</Badge>}{e.hasPreviousSecret ? <div className="muted small">Old secret valid until <RelativeTime iso={e.previousSecretExpiresAt} /></div> : null}</td>
                    <td className="cell-actions">
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setViewing(e)}>Deliveries</button>
                      {canManage ? (
                        <>
                          <button type="button" className="btn btn-ghost btn-sm" disabled={rotate.isPending} onClick={() => rotate.mutate(e.id, {
                            onSuccess: (r) => onSecret({ title: `New secret for ${e.name}`, secret: r.secret }),
                            onError: (err) => toast.error(errorMessage(err)),
                          })}>Rotate secret</button>
                          <button type="button" className="btn btn-ghost btn-sm" onClick={() => update.mutate({ id: e.id, isEnabled: !e.isEnabled }, { onError: (err) => toast.error(errorMessage(err)) })}>
                            {e.isEnabled ? 'Disable' : 'Enable'}
                          </button>
                          <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDeleting(e)}>Delete</button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
      {isCreating ? <CreateEndpointDialog onClose={() => setCreating(false)} onCreated={(e) => onSecret({ title: `Endpoint ${e.name} created`, secret: e.secret, url: e.url })} /> : null}
      {viewing ? <EndpointDeliveriesDialog endpoint={viewing} canManage={canManage} onClose={() => setViewing(null)} /> : null}
      <ConfirmMutationDialog
        target={deleting}
        onDone={() => setDeleting(null)}
        title={(t) => `Delete “${t.name}”?`}
        description={() => 'Senders get 404 from now on, and the stored deliveries are deleted with the endpoint.'}
        confirmLabel="Delete endpoint"
        mutation={remove}
        variables={(t) => t.id}
        successMessage={(t) => `${t.name} deleted`}
      />
    </Card>
  );
}

function CreateEndpointDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (e: WebhookEndpoint & { secret: string }) => void }) {
  const create = useCreateEndpoint();
  const workflows = useWorkflows();
  const [name, setName] = useState('');
  const [workflowId, setWorkflowId] = useState('');
  const [isOrdered, setOrdered] = useState(false);
  const options = [{ value: '', label: 'None: store deliveries only' }, ...(workflows.data?.data ?? []).map((w) => ({ value: w.id, label: `${w.name} (${w.status})` }))];
  const formError = create.error && !fieldError(create.error, 'name') ? errorMessage(create.error) : null;
  return (
    <Dialog open onClose={onClose} title="New inbound endpoint" description="Senders POST signed deliveries to its URL.">
      <form className="form" onSubmit={(event) => {
        event.preventDefault();
        create.mutate({ name: name.trim(), workflowId: workflowId || null, isOrdered }, { onSuccess: (e) => { onClose(); onCreated(e); } });
      }}>
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus placeholder="Stripe payments" error={fieldError(create.error, 'name')} />
        <SelectField label="Workflow to start" value={workflowId} onChange={(e) => setWorkflowId(e.target.value)} options={options} hint="Each delivery starts an execution of its deployed version, with the payload as input." />
        <label className="checkbox"><input type="checkbox" checked={isOrdered} onChange={(e) => setOrdered(e.target.checked)} /> Ordered: run executions one at a time, in arrival order</label>
        <FormError message={formError} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>{create.isPending ? 'Creating…' : 'Create endpoint'}</button>
        </div>
      </form>
    </Dialog>
  );
}

function EndpointDeliveriesDialog({ endpoint, canManage, onClose }: { endpoint: WebhookEndpoint; canManage: boolean; onClose: () => void }) {
  const deliveries = useInboundDeliveries(endpoint.id);
  const replay = useReplayEndpoint();
  const toast = useToast();
  const [openId, setOpenId] = useState<string | null>(null);
  const detail = useInboundDelivery(endpoint.id, openId);
  return (
    <Dialog open size="wide" onClose={onClose} title={`Deliveries to ${endpoint.name}`} description="Newest first. Signature failures are refused (401) and not stored.">
      {canManage ? (
        <p>
          <button type="button" className="btn btn-secondary btn-sm" disabled={replay.isPending} onClick={() => replay.mutate({ id: endpoint.id, since: new Date(Date.now() - 86_400_000).toISOString() }, {
            onSuccess: (r) => toast.success(`Replayed ${r.replayed} of ${r.total} deliveries from the last 24 h${r.failed ? ` (${r.failed} refused)` : ''}`),
            onError: (err) => toast.error(errorMessage(err)),
          })}><Icon name="refresh" /> Replay last 24 h</button>
        </p>
      ) : null}
      <QueryView query={deliveries} loadingLabel="Loading deliveries…">
        {(page) => page.data.length === 0 ? (
          <EmptyState icon="inbox" title="Nothing received yet">Give the URL and the secret to the sender; deliveries show here as they arrive.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th scope="col">Received</th><th scope="col">webhook-id</th><th scope="col">Outcome</th><th scope="col">Execution</th><th scope="col">Replays</th></tr></thead>
              <tbody>
                {page.data.map((d) => (
                  <tr key={d.id} onClick={() => setOpenId(openId === d.id ? null : d.id)} style={{ cursor: 'pointer' }}>
                    <td><RelativeTime iso={d.receivedAt} /></td>
                    <td><code className="small">{d.webhookId}</code></td>
                    <td>{d.outcome === 'accepted' ? <Badge tone="success">{d.responseStatus} accepted</Badge> : <Badge tone="danger" title={d.error ?? undefined}>{d.responseStatus} refused</Badge>}</td>
                    <td>{d.executionId ? <Link to={`/executions/${d.executionId}`}>Run</Link> : <span className="muted">—</span>}</td>
                    <td>{d.replayCount || <span className="muted">0</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
      {openId && detail.data ? (
        <div className="form">
          <p className="small muted">Headers (signature removed)</p>
          <pre className="code-block">{JSON.stringify(detail.data.headers, null, 2)}</pre>
          <p className="small muted">Body</p>
          <pre className="code-block">{pretty(detail.data.body)}</pre>
        </div>
      ) : null}
    </Dialog>
  );
}

// ---- outbound --------------------------------------------------------------------------------

function SubscriptionsCard({ canManage, onSecret }: { canManage: boolean; onSecret: (r: Revealed) => void }) {
  const subscriptions = useSubscriptions();
  const update = useUpdateSubscription();
  const remove = useDeleteSubscription();
  const rotate = useRotateSubscriptionSecret();
  const test = useSendTestEvent();
  const toast = useToast();
  const [isCreating, setCreating] = useState(false);
  const [viewing, setViewing] = useState<EventSubscription | null>(null);
  const [deleting, setDeleting] = useState<EventSubscription | null>(null);
  const createButton = canManage ? (
    <button type="button" className="btn btn-primary btn-sm" onClick={() => setCreating(true)}><Icon name="plus" /> New subscription</button>
  ) : null;

  return (
    <Card title="Event subscriptions" description="Events of this workspace POSTed to your URLs, signed, retried with backoff; disabled after persistent failure (the owners get a mail)." actions={createButton} id="event-subscriptions">
      <QueryView query={subscriptions} loadingLabel="Loading subscriptions…">
        {(list) => list.length === 0 ? (
          <EmptyState icon="external" title="No event subscription yet" action={createButton}>
            {canManage ? 'Subscribe a URL to execution.completed or execution.failed to hear about your runs.' : 'An owner or admin can subscribe URLs to events.'}
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Status</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {list.map((s) => (
                  <tr key={s.id}>
                    <td><code className="small">{s.url}</code>{s.description ? <div className="muted small">{s.description}</div> : null}</td>
                    <td>{s.eventTypes.map((t) => <Badge key={t} tone="info">{t}</Badge>)}</td>
                    <td>
                      {s.isEnabled ? <Badge tone="success">Enabled</Badge> : <Badge tone="danger" title={s.disabledReason ?? undefined}>Disabled</Badge>}
                      {s.disabledReason ? <div className="muted small">{s.disabledReason}</div> : s.consecutiveFailures ? <div className="muted small">{s.consecutiveFailures} failed in a row</div> : null}
                    </td>
                    <td className="cell-actions">
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setViewing(s)}>Deliveries</button>
                      {canManage ? (
                        <>
                          <button type="button" className="btn btn-ghost btn-sm" disabled={test.isPending} onClick={() => test.mutate(s.id, {
                            onSuccess: () => { toast.success('Test event sent'); setViewing(s); },
                            onError: (err) => toast.error(errorMessage(err)),
                          })}>Send test</button>
                          <button type="button" className="btn btn-ghost btn-sm" onClick={() => rotate.mutate(s.id, {
                            onSuccess: (r) => onSecret({ title: `New secret for ${s.url}`, secret: r.secret }),
                            onError: (err) => toast.error(errorMessage(err)),
                          })}>Rotate secret</button>
                          <button type="button" className="btn btn-ghost btn-sm" onClick={() => update.mutate({ id: s.id, isEnabled: !s.isEnabled }, { onError: (err) => toast.error(errorMessage(err)) })}>
                            {s.isEnabled ? 'Disable' : 'Enable'}
                          </button>
                          <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDeleting(s)}>Delete</button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
      {isCreating ? <CreateSubscriptionDialog onClose={() => setCreating(false)} onCreated={(s) => onSecret({ title: `Subscription to ${s.url} created`, secret: s.secret })} /> : null}
      {viewing ? <SubscriptionDeliveriesDialog subscription={viewing} canManage={canManage} onClose={() => setViewing(null)} /> : null}
      <ConfirmMutationDialog
        target={deleting}
        onDone={() => setDeleting(null)}
        title={(t) => `Delete the subscription to ${t.url}?`}
        description={() => 'No more events are sent to it; its delivery log is deleted.'}
        confirmLabel="Delete subscription"
        mutation={remove}
        variables={(t) => t.id}
        successMessage={() => 'Subscription deleted'}
      />
    </Card>
  );
}

function CreateSubscriptionDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (s: EventSubscription & { secret: string }) => void }) {
  const create = useCreateSubscription();
  const types = useEventTypes();
  const [url, setUrl] = useState('https://');
  const [description, setDescription] = useState('');
  const [selected, setSelected] = useState<string[]>(['execution.completed', 'execution.failed']);
  const formError = create.error && !fieldError(create.error, 'url') ? errorMessage(create.error) : null;
  return (
    <Dialog open onClose={onClose} title="New event subscription" description="Events are POSTed as {type, timestamp, data} with Standard Webhooks headers.">
      <form className="form" onSubmit={(event) => {
        event.preventDefault();
        create.mutate({ url: url.trim(), eventTypes: selected, description: description.trim() }, { onSuccess: (s) => { onClose(); onCreated(s); } });
      }}>
        <TextField label="URL" type="url" value={url} onChange={(e) => setUrl(e.target.value)} required maxLength={2000} autoFocus error={fieldError(create.error, 'url')}
          hint="Private and loopback addresses are refused unless the workspace setting network.allow_private_addresses is on." />
        <fieldset className="fieldset">
          <legend>Events</legend>
          {(types.data?.data ?? []).map((t) => (
            <label key={t.type} className="checkbox">
              <input type="checkbox" checked={selected.includes(t.type)} onChange={(e) => setSelected(e.target.checked ? [...selected, t.type] : selected.filter((x) => x !== t.type))} />
              {' '}<code>{t.type}</code> <span className="muted small">{t.description}</span>
            </label>
          ))}
        </fieldset>
        <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} placeholder="Slack relay" />
        <FormError message={formError} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || selected.length === 0 || url.length < 9}>{create.isPending ? 'Creating…' : 'Create subscription'}</button>
        </div>
      </form>
    </Dialog>
  );
}

function statusBadge(status: 'pending' | 'succeeded' | 'failed') {
  return status === 'succeeded' ? <Badge tone="success">Succeeded</Badge> : status === 'failed' ? <Badge tone="danger">Failed</Badge> : <Badge tone="warning">Pending</Badge>;
}

function SubscriptionDeliveriesDialog({ subscription, canManage, onClose }: { subscription: EventSubscription; canManage: boolean; onClose: () => void }) {
  const deliveries = useOutboundDeliveries(subscription.id);
  const [openId, setOpenId] = useState<string | null>(null);
  const detail = useOutboundDelivery(openId);
  const redeliver = useRedeliver();
  const toast = useToast();
  return (
    <Dialog open size="wide" onClose={onClose} title={`Deliveries to ${subscription.url}`} description="Newest first; open one to see its attempts.">
      <QueryView query={deliveries} loadingLabel="Loading deliveries…">
        {(page) => page.data.length === 0 ? (
          <EmptyState icon="inbox" title="Nothing sent yet">Events of the subscribed types show here; “Send test” sends a ping.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th scope="col">Created</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th></tr></thead>
              <tbody>
                {page.data.map((d) => (
                  <tr key={d.id} onClick={() => setOpenId(openId === d.id ? null : d.id)} style={{ cursor: 'pointer' }}>
                    <td><RelativeTime iso={d.createdAt} /></td>
                    <td><code className="small">{d.eventType}</code></td>
                    <td>{statusBadge(d.status)}</td>
                    <td>{d.attemptCount}</td>
                    <td>{d.lastStatusCode ?? <span className="muted">{d.lastError ?? '—'}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
      {openId && detail.data ? (
        <div className="form">
          <p>
            {statusBadge(detail.data.status)}{' '}
            {canManage ? (
              <button type="button" className="btn btn-secondary btn-sm" disabled={redeliver.isPending || detail.data.status === 'pending'} onClick={() => redeliver.mutate(openId, {
                onSuccess: () => toast.success('Redelivery queued'),
                onError: (err) => toast.error(errorMessage(err)),
              })}><Icon name="refresh" /> Redeliver</button>
            ) : null}
          </p>
          <table className="table">
            <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Trigger</th><th scope="col">Answer</th><th scope="col">Duration</th><th scope="col">Response / error</th></tr></thead>
            <tbody>
              {detail.data.attempts.map((a) => (
                <tr key={a.id}>
                  <td>{a.attempt}</td>
                  <td><RelativeTime iso={a.startedAt} /></td>
                  <td>{a.trigger}</td>
                  <td>{a.isSuccess ? <Badge tone="success">{a.statusCode}</Badge> : <Badge tone="danger">{a.statusCode ?? 'no answer'}</Badge>}</td>
                  <td>{a.durationMs} ms</td>
                  <td><code className="small">{(a.error ?? '') + (a.responseExcerpt ? ` ${a.responseExcerpt.slice(0, 200)}` : '')}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small muted">Body sent</p>
          <pre className="code-block">{pretty(detail.data.body)}</pre>
        </div>
      ) : null}
    </Dialog>
  );
}
