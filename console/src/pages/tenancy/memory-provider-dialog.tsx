// Where the workspace's memory lives: built in, or a project of a Mem0-compatible provider that
// Atrium creates through its API (the access key from the vault, by name). Memories are not copied.
import { useState } from 'react';
import { useConfigureMemorySpace } from '../../api/agents.ts';
import type { MemorySpace } from '../../api/agents.ts';
import { errorMessage } from '../../api/client.ts';
import { useSecrets } from '../../api/secrets.ts';
import { Dialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link } from '../../lib/router.tsx';

export function MemoryProviderDialog({ space, onClose }: { space: MemorySpace; onClose: () => void }) {
  const configure = useConfigureMemorySpace();
  const secrets = useSecrets();
  const toast = useToast();
  const [form, setForm] = useState({
    provider: space.provider as 'builtin' | 'mem0', baseUrl: space.baseUrl ?? 'https://api.mem0.ai', orgId: space.orgId ?? '', secretName: space.secretName ?? '',
  });
  const isMem0 = form.provider === 'mem0';
  return (
    <Dialog open onClose={onClose} title="Memory provider" description="Memories are not copied between providers: agents start from what the chosen one holds.">
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        configure.mutate(isMem0 ? { provider: 'mem0', baseUrl: form.baseUrl.trim(), orgId: form.orgId.trim(), secretName: form.secretName } : { provider: 'builtin' }, {
          onSuccess: (s) => { toast.success(s.provider === 'mem0' ? `Memory moved to the Mem0 project ${s.projectId}` : 'Memory moved to the built-in provider'); onClose(); },
        });
      }}>
        <SelectField label="Provider" value={form.provider} onChange={(e) => setForm({ ...form, provider: e.target.value as 'builtin' | 'mem0' })}
          options={[{ value: 'builtin', label: 'Built in (this platform\'s PostgreSQL)' }, { value: 'mem0', label: 'Mem0 (or a server speaking its REST API)' }]} />
        {isMem0 ? (
          <>
            <TextField label="API URL" type="url" value={form.baseUrl} onChange={(e) => setForm({ ...form, baseUrl: e.target.value })} required maxLength={2048} />
            <TextField label="Organisation id" hint="The workspace's project is created in it, named atrium-<workspace>" value={form.orgId} onChange={(e) => setForm({ ...form, orgId: e.target.value })} required maxLength={200} />
            <SelectField label="Access key (vault secret)" value={form.secretName} onChange={(e) => setForm({ ...form, secretName: e.target.value })}
              options={[{ value: '', label: 'Choose a secret…' }, ...(secrets.data ?? []).map((s) => ({ value: s.name, label: s.name }))]} />
            <p className="small muted">Put the provider's API key in the <Link to="/secrets">vault</Link> first. Agents then remember and recall through the provider; its dashboard lists and edits the memories.</p>
          </>
        ) : null}
        <FormError message={configure.error ? errorMessage(configure.error) : null} />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={configure.isPending || (isMem0 && !form.secretName)}>{configure.isPending ? 'Connecting…' : 'Save'}</button>
        </div>
      </form>
    </Dialog>
  );
}
