// Security page, "Support access": the user's own opt-out of impersonation (GET/PATCH
// /auth/preferences). The server refuses the change while impersonating, so an admin acting as
// the user can't lift it; the card then shows the server's message.
import { useId } from 'react';
import { errorMessage } from '../../api/client.ts';
import { usePreferences, useUpdatePreferences } from '../../api/impersonation.ts';
import { FormError } from '../../components/field.tsx';
import { Card } from '../../components/page.tsx';
import { Badge } from '../../components/badge.tsx';
import { QueryView } from '../../components/states.tsx';
import { useToast } from '../../components/toast.tsx';
import '../../components/impersonation.css';

export function SupportAccessCard() {
  const preferences = usePreferences();
  const update = useUpdatePreferences();
  const toast = useToast();
  const id = useId();
  const isAllowed = preferences.data?.allowImpersonation;

  return (
    <Card
      id="support-access"
      title="Support access"
      description="Whether support can see Atrium as you do, to investigate a problem you reported."
      actions={isAllowed === undefined ? null : isAllowed ? <Badge tone="success">Allowed</Badge> : <Badge>Not allowed</Badge>}
    >
      <QueryView query={preferences} loadingLabel="Loading your preferences…">
        {(data) => (
          <div className="stack">
            <div className="switch-row">
              <div>
                <label htmlFor={id}>Allow platform admins to impersonate me</label>
                <p className="muted small" id={`${id}-text`}>
                  When this is on, a platform admin of this installation (or a member of your workspace whose role allows it) can open a
                  session as you, with a written reason, for at most 60 minutes. Every impersonation, and everything done during it, is
                  recorded in the audit trail under their name. Turn it off and nobody can impersonate you; changing this setting is
                  recorded in the audit trail too.
                </p>
              </div>
              <input
                id={id}
                type="checkbox"
                role="switch"
                className="switch"
                aria-describedby={`${id}-text`}
                checked={update.isPending && update.variables.allowImpersonation !== undefined ? update.variables.allowImpersonation : data.allowImpersonation}
                disabled={update.isPending}
                onChange={(event) => {
                  const allow = event.target.checked;
                  update.mutate({ allowImpersonation: allow }, {
                    onSuccess: () => toast.success(allow ? 'Platform admins can impersonate you again' : 'Nobody can impersonate you now'),
                  });
                }}
              />
            </div>
            <FormError message={update.error ? errorMessage(update.error) : null} />
          </div>
        )}
      </QueryView>
    </Card>
  );
}
