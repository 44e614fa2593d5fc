// Create a project or team under the current workspace.
import { useState } from 'react';
import { errorMessage, fieldError } from '../api/client.ts';
import type { Workspace } from '../api/types.ts';
import { useCreateChildWorkspace } from '../api/workspaces.ts';
import { useSession } from '../auth/session.tsx';
import { Dialog } from './dialog.tsx';
import { FormError, TextField } from './field.tsx';

type Props = { open: boolean; onClose: () => void; onCreated: (workspace: Workspace, shouldSwitch: boolean) => void };

export function CreateWorkspaceDialog({ open, onClose, onCreated }: Props) {
  const { me } = useSession();
  const create = useCreateChildWorkspace();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'project' | 'team'>(me.workspace.kind === 'project' ? 'team' : 'project');
  const [shouldSwitch, setShouldSwitch] = useState(true);

  const close = () => {
    create.reset();
    setName('');
    onClose();
  };

  return (
    <Dialog open={open} onClose={close} title="Create a project or team" description={`It is created inside ${me.workspace.name}; you become its owner.`}>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate({ name: name.trim(), kind }, {
            onSuccess: (workspace) => {
              setName('');
              create.reset();
              onCreated(workspace, shouldSwitch);
            },
          });
        }}
      >
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} autoFocus placeholder="Website redesign" error={fieldError(create.error, 'name')} />
        <fieldset className="radio-cards">
          <legend>Kind</legend>
          <label className="radio-card">
            <input type="radio" name="kind" value="project" checked={kind === 'project'} onChange={() => setKind('project')} />
            <span>
              <strong>Project</strong>
              <span className="muted">A client engagement with its own keys, data and members.</span>
            </span>
          </label>
          <label className="radio-card">
            <input type="radio" name="kind" value="team" checked={kind === 'team'} onChange={() => setKind('team')} />
            <span>
              <strong>Team</strong>
              <span className="muted">A group of people working inside the organization.</span>
            </span>
          </label>
        </fieldset>
        <label className="checkbox">
          <input type="checkbox" checked={shouldSwitch} onChange={(e) => setShouldSwitch(e.target.checked)} />
          Switch to it after creating
        </label>
        <FormError message={create.error && !fieldError(create.error, 'name') ? errorMessage(create.error) : null} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>
            {create.isPending ? 'Creating…' : `Create ${kind}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
