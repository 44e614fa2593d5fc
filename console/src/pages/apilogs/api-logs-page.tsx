// The workspace's API logs (owners and admins): every request made with its members' sessions
// and API keys, newest first, filtered; a failed request opens with its bodies (redacted).
import { useState } from 'react';
import { useApiLogs } from '../../api/api-logs.ts';
import type { ApiLog, ApiLogFilters } from '../../api/api-logs.ts';
import { Badge } from '../../components/badge.tsx';
import type { BadgeTone } from '../../components/badge.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { formatDateTime } from '../../lib/format.ts';

const STATUS_CLASSES = [
  { value: '', label: 'Any status' },
  { value: '2xx', label: '2xx success' },
  { value: '3xx', label: '3xx redirect' },
  { value: '4xx', label: '4xx client error' },
  { value: '5xx', label: '5xx server error' },
];
const METHODS = [{ value: '', label: 'Any method' }, ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => ({ value: m, label: m }))];
const EMPTY = { statusClass: '', method: '', endpoint: '', from: '', to: '' };

function toneOf(status: number): BadgeTone {
  if (status >= 500) return 'danger';
  if (status >= 400) return 'warning';
  if (status >= 300) return 'info';
  return 'success';
}

function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function ApiLogsPage() {
  const [form, setForm] = useState(EMPTY);
  const endpoint = form.endpoint.trim();
  const isEndpointValid = endpoint === '' || endpoint.startsWith('/');
  const filters: ApiLogFilters = {
    statusClass: form.statusClass as ApiLogFilters['statusClass'], method: form.method, endpoint: isEndpointValid ? endpoint : '', from: toIso(form.from), to: toIso(form.to),
  };
  const logs = useApiLogs(filters);
  const [selected, setSelected] = useState<ApiLog | null>(null);
  const rows = logs.data?.pages.flatMap((p) => p.data) ?? [];
  const hasFilters = Object.values(form).some((v) => v !== '');
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));

  return (
    <>
      <PageHeader
        title="API logs"
        description="Every API request made in this workspace, by its members and API keys. Failed requests keep their bodies, with credentials redacted. Logs are kept 30 days (90 on Pro, a year on Enterprise)."
        actions={<button type="button" className="btn btn-secondary" onClick={() => void logs.refetch()} disabled={logs.isFetching}>Refresh</button>}
      />
      <Card className="audit-filters">
        <form className="filter-grid" aria-label="Filter requests" onSubmit={(e) => e.preventDefault()}>
          <SelectField label="Status" value={form.statusClass} onChange={set('statusClass')} options={STATUS_CLASSES} />
          <SelectField label="Method" value={form.method} onChange={set('method')} options={METHODS} />
          <TextField label="Endpoint" value={form.endpoint} onChange={set('endpoint')} placeholder="/api/v1/secrets*" hint="A route pattern; end with * for a prefix" error={isEndpointValid ? undefined : 'Starts with /'} />
          <TextField label="From" type="datetime-local" value={form.from} onChange={set('from')} />
          <TextField label="To" type="datetime-local" value={form.to} onChange={set('to')} />
          {hasFilters ? (
            <div className="filter-actions">
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setForm(EMPTY)}>Clear filters</button>
            </div>
          ) : null}
        </form>
      </Card>
      <Card id="api-logs">
        {logs.isPending ? (
          <Loading label="Loading requests…" />
        ) : logs.isError ? (
          <ErrorState error={logs.error} onRetry={() => void logs.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState icon="inbox" title={hasFilters ? 'No request matches these filters' : 'No requests yet'}>
            {hasFilters ? 'Widen the time range or clear a filter.' : 'Requests made with this workspace’s sessions and API keys appear here within a second.'}
          </EmptyState>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table table-clickable" data-testid="api-logs-table">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Method</th>
                    <th scope="col">Endpoint</th>
                    <th scope="col">Status</th>
                    <th scope="col">Error</th>
                    <th scope="col" className="num">Duration</th>
                    <th scope="col">Actor</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.id} onClick={() => setSelected(r)}>
                      <td title={formatDateTime(r.createdAt)}><RelativeTime iso={r.createdAt} /></td>
                      <td className="mono">{r.method}</td>
                      <td>
                        <button type="button" className="link-button" onClick={(ev) => { ev.stopPropagation(); setSelected(r); }}><code>{r.endpoint}</code></button>
                      </td>
                      <td><Badge tone={toneOf(r.status)}>{r.status}</Badge></td>
                      <td>{r.errorCode ? <code>{r.errorCode}</code> : <span className="muted">—</span>}</td>
                      <td className="num">{r.durationMs.toFixed(1)} ms</td>
                      <td className="muted">{r.actorType === 'api_key' ? 'API key' : r.actorType === 'user' ? 'User' : '—'} <span className="mono">{r.actorId ? `${r.actorId.slice(0, 8)}…` : ''}</span></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {logs.hasNextPage ? (
              <div className="load-more">
                <button type="button" className="btn btn-secondary btn-sm" onClick={() => void logs.fetchNextPage()} disabled={logs.isFetchingNextPage}>
                  {logs.isFetchingNextPage ? 'Loading…' : 'Load older requests'}
                </button>
              </div>
            ) : null}
          </>
        )}
      </Card>
      <LogDetail log={selected} onClose={() => setSelected(null)} />
    </>
  );
}

function LogDetail({ log, onClose }: { log: ApiLog | null; onClose: () => void }) {
  return (
    <Dialog open={log !== null} onClose={onClose} title={log ? <><span className="mono">{log.method}</span> <code>{log.endpoint}</code></> : ''} description={log ? formatDateTime(log.createdAt) : undefined} size="wide">
      {log ? (
        <div className="audit-detail">
          <dl className="definition-list">
            <dt>Status</dt><dd><Badge tone={toneOf(log.status)}>{log.status}</Badge> {log.errorCode ? <code>{log.errorCode}</code> : null}</dd>
            <dt>Duration</dt><dd>{log.durationMs.toFixed(2)} ms</dd>
            <dt>Actor</dt><dd>{log.actorType ?? '—'} <span className="mono">{log.actorId ?? ''}</span></dd>
            <dt>From</dt><dd>{log.ip ?? '—'}</dd>
            <dt>Request id</dt><dd><span className="mono">{log.requestId ?? '—'}</span></dd>
          </dl>
          {log.status >= 400 ? (
            <div className="diff-grid">
              <div>
                <p className="small muted">Request body</p>
                <pre className="diff-pre" data-testid="log-request-body">{log.requestBody === null ? '—' : JSON.stringify(log.requestBody, null, 2)}</pre>
              </div>
              <div>
                <p className="small muted">Response</p>
                <pre className="diff-pre" data-testid="log-response-body">{log.responseBody === null ? '—' : JSON.stringify(log.responseBody, null, 2)}</pre>
              </div>
            </div>
          ) : (
            <p className="muted">Bodies are kept for failed requests only.</p>
          )}
        </div>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="btn btn-secondary" onClick={onClose}>Close</button>
      </div>
    </Dialog>
  );
}
