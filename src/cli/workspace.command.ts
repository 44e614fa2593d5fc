// `atrium workspace create|list|delete`: the platform admin's workspace operations from a shell.
// Human tables by default, `--json` for scripts.
import { UsageError } from './usage.ts';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { Config } from '../kernel/config.ts';
import { isValidSlug } from '../modules/tenancy/slug.ts';
import type { WorkspacePlan, WorkspaceStatus } from '../modules/tenancy/index.ts';
import type { AdminWorkspace } from '../modules/admin/index.ts';
import { parseEmail, withAdminModule } from './admin.command.ts';

const CLI = { userId: null, via: 'cli' } as const;

export function parseSlug(value: string): string {
  if (!isValidSlug(value)) throw new InvalidArgumentError('must be 1 to 63 lowercase letters, digits or inner hyphens');
  return value;
}

function parseName(value: string): string {
  const name = value.trim();
  if (name.length < 1 || name.length > 200) throw new InvalidArgumentError('must be 1 to 200 characters');
  return name;
}

/** Aligned columns, no borders: readable in a terminal and by `column`/`awk`. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}

function workspaceRows(workspaces: AdminWorkspace[]): string {
  return formatTable(
    ['ID', 'SLUG', 'NAME', 'PLAN', 'STATUS', 'KIND', 'MEMBERS', 'CREATED'],
    workspaces.map((w) => [w.id, w.slug, w.name, w.plan, w.status, w.kind, String(w.memberCount), w.createdAt.slice(0, 19).replace('T', ' ')]),
  );
}

export function registerWorkspaceCommands(program: Command, getConfig: () => Config): void {
  const workspace = program
    .command('workspace')
    .description('Create, list and delete workspaces (platform admin)')
    .action(() => {
      throw new UsageError('missing subcommand: create, list or delete (see atrium workspace --help)');
    });

  workspace
    .command('create')
    .description('Create an organization workspace')
    .requiredOption('--name <name>', 'display name', parseName)
    .option('--slug <slug>', 'unique slug (default: derived from the name)', parseSlug)
    .addOption(new Option('--plan <plan>', 'plan').choices(['free', 'pro', 'enterprise']).default('free'))
    .option('--owner-email <email>', 'an existing user who becomes the owner', parseEmail)
    .option('--json', 'print the workspace as JSON')
    .action(async (options: { name: string; slug?: string; plan: WorkspacePlan; ownerEmail?: string; json?: boolean }) => {
      const created = await withAdminModule(getConfig(), (admin) =>
        admin.createWorkspace({ name: options.name, slug: options.slug, plan: options.plan, ownerEmail: options.ownerEmail }, CLI));
      if (options.json) return void console.log(JSON.stringify(created, null, 2));
      const owner = created.members[0];
      console.log(`Created workspace ${created.slug} (${created.id}), plan ${created.plan}${owner ? `, owned by ${owner.email}` : ', no members yet'}.`);
    });

  workspace
    .command('list')
    .description('List workspaces, oldest first')
    .addOption(new Option('--status <status>', 'only this status').choices(['active', 'suspended', 'deleted']))
    .option('--json', 'print a JSON array')
    .action(async (options: { status?: WorkspaceStatus; json?: boolean }) => {
      const all = await withAdminModule(getConfig(), async (admin) => {
        const found: AdminWorkspace[] = [];
        for (let offset = 0; ; offset += 100) {
          const page = await admin.listWorkspaces({ status: options.status, sort: 'createdAt', order: 'asc', limit: 100, offset });
          found.push(...page.data);
          if (page.data.length < 100 || found.length >= page.total) return found;
        }
      });
      if (options.json) return void console.log(JSON.stringify(all, null, 2));
      console.log(all.length ? workspaceRows(all) : `No ${options.status ?? ''}${options.status ? ' ' : ''}workspaces. Create one with: atrium workspace create --name <name>`);
    });

  workspace
    .command('delete')
    .description('Soft-delete a workspace: data kept, sessions ended, access refused; a platform admin can restore it')
    .argument('<id-or-slug>', 'the workspace id or slug')
    .option('--json', 'print the workspace as JSON')
    .action(async (idOrSlug: string, options: { json?: boolean }) => {
      const change = await withAdminModule(getConfig(), (admin) => admin.changeWorkspaceStatus(idOrSlug, 'deleted', CLI, { reason: 'deleted from the CLI' }));
      if (options.json) return void console.log(JSON.stringify(change.workspace, null, 2));
      const w = change.workspace;
      console.log(change.isChanged
        ? `Deleted workspace ${w.slug} (${w.id}); ${change.revokedSessions} session(s) ended. Restore: POST /api/v1/admin/workspaces/${w.id}/restore`
        : `Workspace ${w.slug} (${w.id}) was already deleted.`);
    });
}
