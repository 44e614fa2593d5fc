// A signing secret shown once (on creation or rotation), with the URL to give the sender when
// there is one: webhook endpoints, event subscriptions, agents' webhooks and callbacks.
import { CopyButton } from './copy-button.tsx';
import { Dialog } from './dialog.tsx';
import { Notice } from './field.tsx';

export type Revealed = { title: string; secret: string; url?: string; secretLabel?: string; extra?: { label: string; secret: string } };

export function SecretDialog({ revealed, onClose }: { revealed: Revealed; onClose: () => void }) {
  return (
    <Dialog open onClose={onClose} title={revealed.title} description="Copy the signing secret now: it is shown only this once.">
      <div className="form">
        {revealed.url ? (
          <div>
            <p className="small muted">URL to give the sender</p>
            <p><code data-testid="endpoint-url">{revealed.url}</code> <CopyButton text={revealed.url} /></p>
          </div>
        ) : null}
        <div>
          <p className="small muted">{revealed.secretLabel ?? 'Signing secret'}</p>
          <p><code data-testid="signing-secret">{revealed.secret}</code> <CopyButton text={revealed.secret} /></p>
        </div>
        {revealed.extra ? (
          <div>
            <p className="small muted">{revealed.extra.label}</p>
            <p><code data-testid="extra-secret">{revealed.extra.secret}</code> <CopyButton text={revealed.extra.secret} /></p>
          </div>
        ) : null}
        <Notice tone="warning">Store it in the sending (or receiving) service. If it is lost, rotate it.</Notice>
        <div className="dialog-actions">
          <button type="button" className="btn btn-primary" onClick={onClose}>I have stored it</button>
        </div>
      </div>
    </Dialog>
  );
}
