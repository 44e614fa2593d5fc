// `atrium deploy`: Atrium on Kubernetes from deploy/kubernetes (kustomize manifests, see its
// README). `--dry-run` prints the manifests rendered for the given values (YAML, or JSON with
// --json) and touches nothing; without it they are applied with kubectl to the current context,
// the rollout is awaited and the URL printed — and when kubectl, a cluster or the Secret is
// missing, it says which and how to get it, before applying anything.
import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UsageError } from './usage.ts';
import type { Overlay } from './deploy-manifests.ts';

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const NAMESPACE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IMAGE = /^[a-z0-9][a-z0-9._\-/:@]{0,254}$/i;

/** A value as an error quotes it: escaped (control characters visible), at most 80 characters. */
const shown = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);

const parseWith = (re: RegExp, what: string, normalise = (v: string) => v) => (value: string) => {
  const v = normalise(value);
  if (!re.test(v)) throw new InvalidArgumentError(`must be ${what}, got ${shown(value)}`);
  return v;
};

type Options = { overlay: Overlay; image?: string; host?: string; issuer?: string; namespace?: string; prometheus?: string; dryRun?: boolean; json?: boolean; timeout: string };

const kubectl = (args: string[], input?: string) => spawnSync('kubectl', args, { encoding: 'utf8', input, timeout: 600_000 });

export function registerDeployCommands(program: Command): void {
  program.command('deploy')
    .description('Deploy on Kubernetes with the manifests of deploy/kubernetes (kubectl, current context); --dry-run prints them')
    .option('--overlay <name>', 'hpa (CPU/memory autoscaling) or keda (job backlog, p95 latency)', (v: string) => {
      if (v !== 'hpa' && v !== 'keda') throw new InvalidArgumentError(`must be hpa or keda, got ${shown(v)}`);
      return v;
    }, 'hpa')
    .option('--image <ref>', 'the image to run (built from the Containerfile and pushed)', parseWith(IMAGE, 'an image reference'))
    .option('--host <name>', 'the public host name (Ingress, TLS certificate, ATRIUM_PUBLIC_URL)', parseWith(HOST, 'a DNS host name', (v) => v.toLowerCase()))
    .option('--issuer <name>', 'the cert-manager ClusterIssuer', parseWith(NAMESPACE, 'a Kubernetes name'))
    .option('--namespace <name>', 'the namespace (default: the context\'s)', parseWith(NAMESPACE, 'a Kubernetes name'))
    .option('--prometheus <url>', 'Prometheus for the KEDA triggers (keda overlay)', (v: string) => {
      if (!/^https?:\/\/[^\s]+$/.test(v)) throw new InvalidArgumentError(`must be an http(s) URL, got ${shown(v)}`);
      return v;
    })
    .option('--dry-run', 'print the manifests, apply nothing')
    .option('--json', 'with --dry-run: the objects as a JSON array')
    .option('--timeout <seconds>', 'how long to wait for the rollout', '300')
    .action(async (options: Options) => {
      if (options.json && !options.dryRun) throw new UsageError('--json goes with --dry-run');
      if (!/^\d{1,4}$/.test(options.timeout)) throw new UsageError(`--timeout must be a number of seconds, got ${shown(options.timeout)}`);
      const { renderManifests, ingressHost } = await import('./deploy-manifests.ts');
      const objects = renderManifests(options);
      if (options.dryRun) {
        if (options.json) console.log(JSON.stringify(objects, null, 2));
        else {
          const { stringify } = await import('yaml');
          console.log(objects.map((o) => stringify(o).trimEnd()).join('\n---\n'));
        }
        return;
      }
      const ns = options.namespace ? ['--namespace', options.namespace] : [];
      // What is missing, named, before anything is applied.
      const version = kubectl(['version', '--client']);
      if (version.error || version.status !== 0) {
        throw new Error('kubectl is not installed (https://kubernetes.io/docs/tasks/tools/): install it, or run `atrium deploy --dry-run … > atrium.yaml` and apply that file where kubectl is');
      }
      const context = kubectl(['config', 'current-context']).stdout.trim() || '(none)';
      const info = kubectl(['cluster-info', '--request-timeout=10s']);
      if (info.status !== 0) {
        throw new Error(`no Kubernetes cluster reachable from the current context ${context}: ${(info.stderr || info.stdout).trim().split('\n').pop()} (kubectl config use-context <name>)`);
      }
      const secret = kubectl(['get', 'secret', 'atrium-secrets', ...ns, '--request-timeout=10s', '-o', 'name']);
      if (secret.status !== 0) {
        throw new Error('the Secret atrium-secrets is missing: create it first (DATABASE_URL, ATRIUM_SECRET, ATRIUM_MASTER_KEY — deploy/kubernetes/README.md, step 2)');
      }
      const { stringify } = await import('yaml');
      const applied = kubectl(['apply', ...ns, '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));
      process.stdout.write(applied.stdout);
      if (applied.status !== 0) throw new Error(`kubectl apply failed: ${applied.stderr.trim()}`);
      for (const d of ['atrium-api', 'atrium-worker']) {
        console.log(`Waiting for ${d}…`);
        const rollout = spawnSync('kubectl', ['rollout', 'status', `deployment/${d}`, ...ns, `--timeout=${options.timeout}s`], { stdio: 'inherit' });
        if (rollout.status !== 0) throw new Error(`${d} did not become ready within ${options.timeout} s: kubectl describe deployment/${d}; kubectl logs deployment/${d}`);
      }
      console.log(`\nAtrium is running on context ${context}: https://${ingressHost(objects)}`);
      console.log('  Next: kubectl exec deploy/atrium-api -- node bin/atrium.mjs preflight');
    });
}
