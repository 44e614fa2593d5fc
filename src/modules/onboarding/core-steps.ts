// The provisioning steps every signup runs: user → workspace (with its default settings) →
// owner membership → welcome mail → audit trail. All are database writes in the signup
// transaction, so the rollback undoes them and they need no compensation.
import type { Config } from '../../kernel/config.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { MailModule } from '../mail/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { AuditModule } from '../audit/index.ts';
import { systemContext, withActor } from '../audit/index.ts';
import type { ProvisioningContext, ProvisioningStep } from './provisioning.ts';
import { AccountExistsError } from './onboarding.errors.ts';
import { welcomeMail } from './welcome-mail.ts';

type Modules = { identity: IdentityModule; tenancy: TenancyModule; mail: MailModule; audit: Pick<AuditModule, 'record'>; config: Config };

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not provisioned yet (step order)`);
  return value;
}

export function createCoreSteps({ identity, tenancy, mail, audit, config }: Modules): ProvisioningStep[] {
  return [
    {
      name: 'user',
      async run(ctx: ProvisioningContext, tx) {
        const { email, name, passwordHash } = ctx.input;
        // ON CONFLICT DO NOTHING waits for a concurrent signup of the same email to finish:
        // if it committed, this one is "already created".
        const row = await identity.users.insert(tx, { email, name, passwordHash });
        if (!row) throw new AccountExistsError();
        ctx.user = identity.users.toUser(row);
      },
    },
    {
      name: 'workspace',
      async run(ctx, tx) {
        ctx.workspace = await tenancy.createWorkspace(tx, { id: ctx.workspaceId, name: ctx.input.companyName, kind: 'organization' });
      },
    },
    {
      name: 'owner-membership',
      async run(ctx, tx) {
        await identity.users.addMembership(tx, { workspaceId: ctx.workspaceId, userId: required(ctx.user, 'user').id, role: 'owner' });
      },
    },
    {
      name: 'welcome-mail',
      async run(ctx, tx) {
        const user = required(ctx.user, 'user');
        const workspace = required(ctx.workspace, 'workspace');
        await mail.enqueue(tx, { workspaceId: ctx.workspaceId, to: user.email, kind: 'welcome', ...welcomeMail({ user, workspace, publicUrl: config.publicUrl }) });
      },
    },
    {
      // The first two links of the new workspace's chain, by the user who signed up.
      name: 'audit-trail',
      async run(ctx, tx) {
        const user = required(ctx.user, 'user');
        const workspace = required(ctx.workspace, 'workspace');
        const context = withActor(ctx.audit ?? systemContext('onboarding'), { type: 'user', id: user.id });
        await audit.record(tx, context, {
          workspaceId: ctx.workspaceId, action: 'workspace.created', targetType: 'workspace', targetId: workspace.id,
          diff: { after: { name: workspace.name, slug: workspace.slug, kind: workspace.kind, plan: workspace.plan, via: 'signup' } },
        });
        await audit.record(tx, context, {
          workspaceId: ctx.workspaceId, action: 'user.signed_up', targetType: 'user', targetId: user.id,
          diff: { after: { email: user.email, name: user.name, role: 'owner' } },
        });
      },
    },
  ];
}
