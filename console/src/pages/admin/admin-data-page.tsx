// Platform admins: every workspace's data-API traffic in a window (the 100 busiest), with the
// size of its data schema; each row links to the workspace's admin page.
import { useState } from 'react';
import { useAdminDataUsage } from '../../api/data.ts';
import type { DataRange } from '../../api/data.ts';
import { Link } from '../../lib/router.tsx';
import { RangePicker } from '../data/range-picker.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';


export function AdminDataPage() {
  const [range, setRange] = useState<DataRange>('24h');
  const usage = useAdminDataUsage(range);
  return (
    <>
      <PageHeader title="Data API" description="Every workspace's data-API traffic: requests, errors and p95 latency, with its tables." />
      <Card title="Busiest workspaces" actions={<RangePicker value={range} onChange={setRange} />}>
        <QueryView query={usage} loadingLabel="Loading usage…">
          {(rows) => rows.length === 0 ? <EmptyState icon="layers" title={`No data-API requests in the last ${range}`} /> : (
            <div className="table-wrap">
              <table className="table">
                <thead><tr><th scope="col">Workspace</th><th scope="col">Requests</th><th scope="col">Errors</th><th scope="col">p95</th><th scope="col">Tables</th><th scope="col">Schema version</th></tr></thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.workspaceId}>
                      <td><Link to={`/admin/workspaces/${r.workspaceId}`}>{r.name}</Link> <span className="muted small">{r.slug}</span></td>
                      <td>{r.requests.toLocaleString()}</td>
                      <td>{r.errors.toLocaleString()}</td>
                      <td>{r.p95 === null ? '—' : `${r.p95.toFixed(1)} ms`}</td>
                      <td>{r.tables}</td>
                      <td>{r.schemaVersion ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </Card>
    </>
  );
}
