// `atrium audit verify [--workspace <slug|id>] [--json]`: checks the hash chain of one or every
// workspace (platform path), prints the first broken link of each broken chain, and exits 1 if
// any chain is broken. Committed events are sealed into their chains first (what the workers'
// sealer would do within a second), so the check covers everything written until then. Progress goes to stderr, so stdout stays the report (or the JSON).
import { UsageError } from './usage.ts';
import type { Command } from 'commander';
import type { Config } from '../kernel/config.ts';
import type { WorkspaceVerification } from '../modules/audit/index.ts';
import { withModules } from './start.command.ts';
import { formatTable } from './workspace.command.ts';

const WHY: Record<NonNullable<WorkspaceVerification['reason']>, string> = {
  seq_gap: 'events are missing before it',
  prev_hash_mismatch: 'it does not link to the previous event',
  hash_mismatch: 'its content does not match its hash',
  event_missing: 'its event was deleted',
  unsealed_event: 'an event was inserted behind the sealer, outside the chain',
};

function describeBreak(r: WorkspaceVerification): string {
  const why = WHY[r.reason ?? 'hash_mismatch'];
  return r.firstBrokenSeq === undefined ? `event ${r.firstBrokenId}: ${why}` : `first broken link at seq ${r.firstBrokenSeq} (event ${r.firstBrokenId}): ${why}`;
}

export function registerAuditCommands(program: Command, getConfig: () => Config): void {
  const audit = program
    .command('audit')
    .description('Audit trail operations')
    .action(() => {
      throw new UsageError('missing subcommand: verify (see atrium audit --help)');
    });

  audit
    .command('verify')
    .description('Verify the audit hash chain of one workspace, or of every workspace; exit 1 if any is broken')
    .option('--workspace <slug-or-id>', 'only this workspace')
    .option('--json', 'print the results as a JSON array')
    .action(async (options: { workspace?: string; json?: boolean }) => {
      const config = getConfig();
      const results = await withModules(config, async ({ audit: module }) => {
        const isTty = process.stderr.isTTY === true;
        await module.seal();
        return module.verifyChains({
          workspace: options.workspace,
          onProgress(done, total) {
            // A line every 100 workspaces (and the last), or a live counter on a terminal.
            if (total < 2) return;
            if (isTty) process.stderr.write(`\rverified ${done}/${total} workspaces${done === total ? '\n' : ''}`);
            else if (done % 100 === 0 || done === total) process.stderr.write(`verified ${done}/${total} workspaces\n`);
          },
        });
      });
      if (options.workspace !== undefined && results.length === 0) throw new Error(`no workspace with the id or slug "${options.workspace}"`);
      const broken = results.filter((r) => !r.isValid);
      if (options.json) {
        console.log(JSON.stringify(results, null, 2));
      } else {
        console.log(formatTable(
          ['WORKSPACE', 'ID', 'EVENTS', 'FROM SEQ', 'TO SEQ', 'PENDING', 'CHAIN'],
          results.map((r) => [r.slug, r.workspaceId, String(r.checked), String(r.anchorSeq + 1), String(r.headSeq), String(r.pending), r.isValid ? 'ok' : 'BROKEN']),
        ));
        for (const r of broken) console.log(`${r.slug}: ${describeBreak(r)}`);
        console.log(broken.length ? `${broken.length} of ${results.length} chain(s) broken.` : `All ${results.length} chain(s) verified.`);
      }
      if (broken.length) process.exitCode = 1;
    });
}
