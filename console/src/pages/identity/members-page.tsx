// Members of the workspace (role, removal) and invitations (send, revoke).
import { useState } from 'react';
import { canGrantRole } from '../../../../src/modules/access/registry.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useInvitations, useInvite, useMembers, useRemoveMember, useRevokeInvitation, useUpdateMemberRole } from '../../api/members.ts';
import type { Invitation, InvitationRole, Member, Role } from '../../api/types.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge, RoleBadge } from '../../components/badge.tsx';
import { ConfirmMutationDialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { capitalize, initials } from '../../lib/format.ts';
import { Link } from '../../lib/router.tsx';

const ALL_ROLES: Role[] = ['owner', 'admin', 'member', 'viewer'];
const INVITE_ROLES: InvitationRole[] = ['admin', 'member', 'viewer'];
const ROLE_HELP: Record<Role, string> = {
  owner: 'Everything, including deleting the workspace.',
  admin: 'Manages members, API keys and settings.',
  member: 'Uses the workspace; sees members and API keys.',
  viewer: 'Read-only access.',
};

export function MembersPage() {
  const { can } = useSession();
  return (
    <>
      <PageHeader title="Members" description="People with access to this workspace and what their role lets them do." />
      {can('member.invite') ? <InviteForm /> : null}
      <MembersCard />
      {can('member.invite') ? <InvitationsCard /> : null}
    </>
  );
}

function InviteForm() {
  const { me } = useSession();
  const invite = useInvite();
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<InvitationRole>('member');
  const roles = INVITE_ROLES.filter((r) => canGrantRole(me.role, r));

  return (
    <Card id="invite" title="Invite a teammate" description="They get an email with a link to join; it expires in 7 days.">
      <form
        className="form form-inline"
        onSubmit={(event) => {
          event.preventDefault();
          invite.mutate({ email: email.trim(), role }, {
            onSuccess: () => {
              toast.success(`Invitation sent to ${email.trim()}`);
              setEmail('');
            },
          });
        }}
      >
        <TextField label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required placeholder="colleague@agency.com" autoComplete="off" error={fieldError(invite.error, 'email', ['ALREADY_MEMBER', 'INVITATION_PENDING'])} />
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as InvitationRole)} options={roles.map((r) => ({ value: r, label: capitalize(r) }))} hint={ROLE_HELP[role]} error={fieldError(invite.error, 'role', ['ROLE_NOT_ALLOWED'])} />
        <div className="form-inline-submit">
          <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
            {invite.isPending ? 'Sending…' : 'Send invitation'}
          </button>
        </div>
      </form>
      <FormError message={invite.error && !fieldError(invite.error, 'email', ['ALREADY_MEMBER', 'INVITATION_PENDING']) && !fieldError(invite.error, 'role', ['ROLE_NOT_ALLOWED']) ? errorMessage(invite.error) : null} />
      {me.permissions.includes('mail.read') ? (
        <p className="muted small">Without SMTP configured, the mail waits in the <Link to="/mail">dev mailbox</Link>.</p>
      ) : null}
    </Card>
  );
}

function MembersCard() {
  const { me, can } = useSession();
  const members = useMembers();
  const updateRole = useUpdateMemberRole();
  const remove = useRemoveMember();
  const toast = useToast();
  const [removing, setRemoving] = useState<Member | null>(null);
  const selfId = me.user?.id;

  return (
    <Card id="members" title="Members" actions={members.data ? <span className="muted">{members.data.length} {members.data.length === 1 ? 'person' : 'people'}</span> : null}>
      <QueryView query={members} loadingLabel="Loading members…">
        {(list) =>
          list.length === 0 ? (
            <EmptyState icon="users" title="No members">Invite someone above to work with you.</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Two-factor</th>
                    <th scope="col">Joined</th>
                    <th scope="col"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((member) => {
                    const isSelf = member.userId === selfId;
                    const canChange = can('member.update') && !isSelf && canGrantRole(me.role, member.role);
                    return (
                      <tr key={member.userId}>
                        <td>
                          <span className="person">
                            <span className="avatar avatar-sm" aria-hidden="true">{initials(member.name, member.email)}</span>
                            <span>
                              <strong>{member.name || member.email}</strong>
                              {isSelf ? <Badge>You</Badge> : null}
                              <span className="muted block">{member.email}</span>
                            </span>
                          </span>
                        </td>
                        <td>
                          {canChange ? (
                            <select
                              className="input input-sm"
                              aria-label={`Role of ${member.name || member.email}`}
                              value={member.role}
                              disabled={updateRole.isPending && updateRole.variables?.userId === member.userId}
                              onChange={(e) => {
                                const role = e.target.value as Role;
                                updateRole.mutate({ userId: member.userId, role }, {
                                  onSuccess: () => toast.success(`${member.name || member.email} is now ${role}`),
                                  onError: (error) => toast.error(errorMessage(error)),
                                });
                              }}
                            >
                              {ALL_ROLES.filter((r) => canGrantRole(me.role, r)).map((r) => (
                                <option key={r} value={r}>{capitalize(r)}</option>
                              ))}
                            </select>
                          ) : (
                            <RoleBadge role={member.role} />
                          )}
                        </td>
                        <td>{member.mfaEnabled ? <Badge tone="success">On</Badge> : <span className="muted">Off</span>}</td>
                        <td><RelativeTime iso={member.joinedAt} /></td>
                        <td className="cell-actions">
                          {can('member.remove') && !isSelf && canGrantRole(me.role, member.role) ? (
                            <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setRemoving(member)}>
                              Remove
                            </button>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryView>
      <ConfirmMutationDialog
        target={removing}
        onDone={() => setRemoving(null)}
        title={(t) => `Remove ${t.name || t.email}?`}
        description={() => "They lose access to this workspace immediately, including open sessions in it. Their account stays."}
        confirmLabel="Remove member"
        mutation={remove}
        variables={(t) => t.userId}
        successMessage={(t) => `${t.name || t.email} was removed`}
      />
    </Card>
  );
}

function InvitationsCard() {
  const invitations = useInvitations();
  const revoke = useRevokeInvitation();
  const [revoking, setRevoking] = useState<Invitation | null>(null);

  return (
    <Card id="invitations" title="Pending invitations">
      <QueryView query={invitations} loadingLabel="Loading invitations…">
        {(list) =>
          list.length === 0 ? (
            <EmptyState icon="mail" title="No pending invitations">Invitations you send appear here until they are accepted.</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Sent</th>
                    <th scope="col">Expires</th>
                    <th scope="col"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((invitation) => (
                    <tr key={invitation.id}>
                      <td>{invitation.email}</td>
                      <td><RoleBadge role={invitation.role} /></td>
                      <td><RelativeTime iso={invitation.createdAt} /></td>
                      <td><RelativeTime iso={invitation.expiresAt} /></td>
                      <td className="cell-actions">
                        <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setRevoking(invitation)}>
                          Revoke
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryView>
      <ConfirmMutationDialog
        target={revoking}
        onDone={() => setRevoking(null)}
        title={() => `Revoke this invitation?`}
        description={(t) => `The link sent to ${t.email} stops working. You can invite them again later.`}
        confirmLabel="Revoke invitation"
        mutation={revoke}
        variables={(t) => t.id}
        successMessage={(t) => `Invitation to ${t.email} revoked`}
      />
    </Card>
  );
}
