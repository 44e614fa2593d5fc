// Secrets: list metadata, create or replace a value (a password field), delete. Values are
// write-only: the server never sends one back, so the page can't show it either.
import { useState } from 'react';
import { SECRET_NAME_PATTERN, useDeleteSecret, usePutSecret, useSecrets } from '../../api/secrets.ts';
import type { Secret } from '../../api/secrets.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ConfirmMutationDialog, Dialog } from '../../components/dialog.tsx';
import { FormError, Notice, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';

export function SecretsPage() {
  const { can, me } = useSession();
  const secrets = useSecrets();
  const remove = useDeleteSecret();
  const [editing, setEditing] = useState<Secret | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Secret | null>(null);
  const canWrite = can('secret.write');

  const createButton = canWrite ? (
    <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
      <Icon name="plus" /> Add secret
    </button>
  ) : null;

  return (
    <>
      <PageHeader
        title="Secrets"
        description="API keys and passwords your workflows and LLM providers use. Values are encrypted and write-only: once saved, nobody can read them back here or through the API — you can only replace or delete them."
        actions={createButton}
      />
      <Card id="secrets">
        <QueryView query={secrets} loadingLabel="Loading secrets…">
          {(list) =>
            list.length === 0 ? (
              <EmptyState icon="shield" title="No secrets yet" action={createButton}>
                {canWrite ? `Add the API keys your workflows and LLM providers need; they are referred to as workspace/${me.workspace.slug}/<name>.` : 'An owner or admin can add secrets here.'}
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Description</th>
                      <th scope="col">Updated</th>
                      <th scope="col">Last used</th>
                      <th scope="col"><span className="sr-only">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((secret) => (
                      <tr key={secret.id}>
                        <td>
                          <strong>{secret.name}</strong>
                          <div className="muted small"><code>{secret.fullName}</code></div>
                        </td>
                        <td>{secret.description || <span className="muted">—</span>}</td>
                        <td><RelativeTime iso={secret.updatedAt} /></td>
                        <td><RelativeTime iso={secret.lastUsedAt} never="Never used" /></td>
                        <td className="cell-actions">
                          {canWrite ? (
                            <>
                              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(secret)}>
                                Replace value
                              </button>
                              <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDeleting(secret)}>
                                Delete
                              </button>
                            </>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryView>
      </Card>

      {editing !== null ? (
        <SecretDialog secret={editing === 'new' ? null : editing} existingNames={secrets.data?.map((s) => s.name) ?? []} onClose={() => setEditing(null)} />
      ) : null}
      <ConfirmMutationDialog
        target={deleting}
        onDone={() => setDeleting(null)}
        title={(t) => `Delete “${t.name}”?`}
        description={() => "Workflows and providers that use this secret will fail until you add it again. The value is destroyed; this cannot be undone."}
        confirmLabel="Delete secret"
        mutation={remove}
        variables={(t) => t.name}
        successMessage={(t) => `${t.name} deleted`}
      />
    </>
  );
}

/** Create (secret null) or replace a value. The value lives only in this form until it is sent. */
function SecretDialog({ secret, existingNames, onClose }: { secret: Secret | null; existingNames: string[]; onClose: () => void }) {
  const put = usePutSecret();
  const toast = useToast();
  const [name, setName] = useState(secret?.name ?? '');
  const [description, setDescription] = useState(secret?.description ?? '');
  const [value, setValue] = useState('');
  const isNew = secret === null;
  // PUT would replace an existing value: adding must not do that by accident.
  const isTaken = isNew && existingNames.includes(name.trim());

  const close = () => {
    setValue('');
    put.reset();
    onClose();
  };
  const fields = ['name', 'value', 'description'];
  const formError = put.error && !fields.some((f) => fieldError(put.error, f)) ? errorMessage(put.error) : null;

  return (
    <Dialog
      open
      onClose={close}
      title={isNew ? 'Add a secret' : `Replace the value of ${secret.name}`}
      description={isNew ? 'The value is encrypted as soon as it reaches the server.' : 'The current value is replaced; it can’t be shown, here or anywhere.'}
    >
      <form
        className="form"
        autoComplete="off"
        onSubmit={(event) => {
          event.preventDefault();
          put.mutate({ name: name.trim(), value, description: description.trim() }, {
            onSuccess: (saved) => {
              toast.success(isNew ? `${saved.name} added` : `${saved.name} updated`);
              close();
            },
          });
        }}
      >
        <TextField
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          readOnly={!isNew}
          maxLength={100}
          pattern={SECRET_NAME_PATTERN}
          autoFocus={isNew}
          placeholder="OPENAI_API_KEY"
          hint="Letters, digits, _ . and -, starting with a letter or digit."
          error={isTaken ? 'A secret with this name exists: use “Replace value” on its row.' : fieldError(put.error, 'name')}
        />
        <TextField
          label="Value"
          type="password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          required
          maxLength={65536}
          autoFocus={!isNew}
          autoComplete="new-password"
          spellCheck={false}
          hint="Write-only: you won’t be able to see it again."
          error={fieldError(put.error, 'value')}
        />
        <TextField
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          maxLength={500}
          placeholder="Production key for the support assistant"
          error={fieldError(put.error, 'description')}
        />
        <Notice>Only server-side consumers (workflow steps, LLM providers) can read the value.</Notice>
        <FormError message={formError} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={put.isPending || !name.trim() || value === '' || isTaken}>
            {put.isPending ? 'Saving…' : isNew ? 'Add secret' : 'Replace value'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
