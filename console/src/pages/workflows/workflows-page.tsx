// Workflows: the list (status, last run, success rate) and a dialog to create one.
import { useState } from 'react';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useCreateWorkflow, useWorkflows } from '../../api/workflows.ts';
import type { WorkflowStatus } from '../../api/workflows.ts';
import { useSession } from '../../auth/session.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { FormError, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { navigate } from '../../lib/router.tsx';
import { ExecutionStatusBadge, WorkflowStatusBadge, formatRate } from './workflows-shared.tsx';

export function WorkflowsPage() {
  const { can } = useSession();
  const [status, setStatus] = useState<WorkflowStatus | ''>('');
  const workflows = useWorkflows({ status: status || undefined });
  const [isCreating, setIsCreating] = useState(false);
  const createButton = can('workflow.create') ? (
    <button type="button" className="btn btn-primary" onClick={() => setIsCreating(true)}>
      <Icon name="plus" /> New workflow
    </button>
  ) : null;

  return (
    <>
      <PageHeader
        title="Workflows"
        description="Automations made of steps (HTTP calls, transforms, conditions, delays, loops, sub-workflows). Deploy a version, then run it from here, the API, a schedule or a webhook."
        actions={createButton}
      />
      <Card
        id="workflows"
        actions={
          <label className="toolbar-field">
            <span>Status</span>
            <select className="input input-sm" value={status} onChange={(e) => setStatus(e.target.value as WorkflowStatus | '')} aria-label="Filter by status">
              <option value="">Active</option>
              <option value="draft">Draft</option>
              <option value="deployed">Deployed</option>
              <option value="archived">Archived</option>
            </select>
          </label>
        }
      >
        <QueryView query={workflows} loadingLabel="Loading workflows…">
          {(page) =>
            page.data.length === 0 ? (
              <EmptyState icon="layers" title={status ? `No ${status} workflows` : 'No workflows yet'} action={status ? null : createButton}>
                {status ? 'Try another status.' : can('workflow.create') ? 'Create a workflow, add its steps, deploy it and run it.' : 'Members with the right role can create workflows here.'}
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="table table-clickable">
                  <thead>
                    <tr>
                      <th scope="col">Workflow</th>
                      <th scope="col">Status</th>
                      <th scope="col">Last run</th>
                      <th scope="col">Runs</th>
                      <th scope="col">Success rate</th>
                      <th scope="col">Updated</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((w) => (
                      <tr key={w.id} onClick={() => navigate(`/workflows/${w.id}`)}>
                        <td>
                          <a href={`/workflows/${w.id}`} onClick={(e) => { e.preventDefault(); navigate(`/workflows/${w.id}`); }}><strong>{w.name}</strong></a>
                          {w.description ? <div className="muted small">{w.description}</div> : null}
                        </td>
                        <td><WorkflowStatusBadge status={w.status} />{w.deployedVersion ? <span className="muted small"> v{w.deployedVersion}</span> : null}</td>
                        <td>{w.lastExecution ? <span className="row" style={{ gap: 6 }}><ExecutionStatusBadge status={w.lastExecution.status} /><RelativeTime iso={w.lastExecution.createdAt} /></span> : <span className="muted">Never</span>}</td>
                        <td>{w.executionCount}</td>
                        <td>{formatRate(w.successRate)}</td>
                        <td><RelativeTime iso={w.updatedAt} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryView>
      </Card>
      {isCreating ? <NewWorkflowDialog onClose={() => setIsCreating(false)} /> : null}
    </>
  );
}

function NewWorkflowDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateWorkflow();
  const toast = useToast();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const formError = create.error && !fieldError(create.error, 'name') ? errorMessage(create.error) : null;
  return (
    <Dialog open onClose={onClose} title="New workflow" description="It starts as a draft with no steps; add them on the next page.">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate({ name: name.trim(), description: description.trim() || undefined }, {
            onSuccess: (created) => {
              toast.success('Workflow created');
              onClose();
              navigate(`/workflows/${created.id}`);
            },
          });
        }}
      >
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required autoFocus error={fieldError(create.error, 'name')} />
        <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} hint="Optional: what it does, for whom" />
        <FormError message={formError} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>{create.isPending ? 'Creating…' : 'Create workflow'}</button>
        </div>
      </form>
    </Dialog>
  );
}
