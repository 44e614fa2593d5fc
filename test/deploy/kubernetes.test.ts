// The Kubernetes manifests (deploy/kubernetes, issue 16): each overlay rendered (`kubectl kustomize`
// where kubectl is installed, else the kustomizations read the same way: resources and images),
// every object valid against the Kubernetes (and KEDA) schemas with kubernetes-models, and what the
// schemas cannot see checked too: selectors that match pods, targets and backends that exist,
// probes on declared ports, roles the CLI knows, a ConfigMap that Atrium's production
// configuration accepts (and only variables it reads), pods that run as the image's non-root user.
// The image itself runs read-only as these pods do in `npm run test:image`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/kernel/config.ts';
import { KUBERNETES_DIR as DIR, OVERLAYS, readKustomization } from '../../src/cli/deploy-manifests.ts';
import type { K8sObject } from '../../src/cli/deploy-manifests.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

type Obj = K8sObject;

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

function render(overlay: string): Obj[] {
  const dir = path.join(DIR, overlay);
  const read = readKustomization(dir);
  if (!hasKubectl) return read;
  const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const rendered = parseAllDocuments(out.stdout).map((d) => d.toJS() as Obj);
  // kustomize and the reader agree (so the checks below hold for what `kubectl apply -k` sends).
  const key = (o: Obj) => `${o.kind}/${o.metadata.name}`;
  assert.deepEqual(rendered.map(key).sort(), read.map(key).sort());
  for (const o of rendered) assert.deepEqual(o, read.find((r) => key(r) === key(o)), `${key(o)} as kustomize renders it`);
  return rendered;
}

/** The kubernetes-models class of an object: kubernetes-models/<group>/<version>/<Kind>, KEDA's from @kubernetes-models/keda. */
async function model(o: Obj): Promise<{ validate(): void }> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const spec = group.endsWith('keda.sh') ? `@kubernetes-models/keda/${group}/${version}/${o.kind}` : `kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`;
  const mod = (await import(spec)) as Record<string, new (data: unknown) => { validate(): void }>;
  return new mod[o.kind](o);
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

for (const overlay of OVERLAYS) {
  test(`deploy/kubernetes/${overlay}: every object valid against the Kubernetes schemas, and consistent`, async () => {
    const objects = render(overlay);
    for (const o of objects) {
      const m = await model(o).catch((err: unknown) => assert.fail(`${o.apiVersion} ${o.kind} has no schema here: ${(err as Error).message}`));
      assert.doesNotThrow(() => m.validate(), (err: unknown) => `${o.kind}/${o.metadata.name}: ${(err as Error).message}`);
    }
    const of = (kind: string) => objects.filter((o) => o.kind === kind);
    const deployments = of('Deployment');
    assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), ['atrium-api', 'atrium-worker']);
    const byName = new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));

    for (const d of deployments) {
      const pod = d.spec.template;
      assert.ok(matches(d.spec.selector.matchLabels, pod.metadata.labels), `${d.metadata.name}: the selector matches its own pods`);
      const [c] = pod.spec.containers;
      assert.match(c.image, /^registry\.example\.com\/atrium:/, 'the image override applies');
      assert.deepEqual(c.args.slice(0, 2), ['start', '--role']);
      assert.ok(['api', 'worker'].includes(c.args[2]), `${d.metadata.name}: a role the CLI knows`);
      const ports = new Set((c.ports ?? []).map((p: { name: string }) => p.name));
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        if (c[probe]) assert.ok(ports.has(c[probe].httpGet.port), `${d.metadata.name}: ${probe} on a declared port`);
      }
      assert.ok(c.livenessProbe, `${d.metadata.name}: a liveness probe`);
      for (const ref of c.envFrom) {
        if (ref.configMapRef) assert.ok(byName.has(`ConfigMap/${ref.configMapRef.name}`), `${ref.configMapRef.name} exists`);
        else assert.equal(ref.secretRef.name, 'atrium-secrets', 'the one Secret the README has you create');
      }
      // The image's user (Containerfile: USER 10001), no privilege, a read-only root with the data dir and /tmp writable.
      assert.equal(pod.spec.securityContext.runAsUser, 10001);
      assert.equal(pod.spec.securityContext.runAsNonRoot, true);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      const mounts = c.volumeMounts.map((v: { mountPath: string }) => v.mountPath).sort();
      assert.deepEqual(mounts, ['/tmp', '/var/lib/atrium']);
      assert.ok(pod.spec.terminationGracePeriodSeconds > Number(byName.get('ConfigMap/atrium-config')!.data!.ATRIUM_DRAIN_SECONDS), 'the grace period outlasts the drain');
    }
    const api = byName.get('Deployment/atrium-api')!;
    assert.equal(api.spec.template.spec.containers[0].readinessProbe.httpGet.path, '/readyz');

    for (const s of of('Service')) {
      assert.ok(deployments.some((d) => matches(s.spec.selector, d.spec.template.metadata.labels)), `Service ${s.metadata.name} selects pods`);
      for (const p of s.spec.ports) {
        assert.ok(deployments.some((d) => matches(s.spec.selector, d.spec.template.metadata.labels)
          && d.spec.template.spec.containers[0].ports.some((cp: { name: string }) => cp.name === p.targetPort)), `Service ${s.metadata.name}: target port ${p.targetPort} exists on its pods`);
      }
    }
    for (const p of of('PodDisruptionBudget')) assert.ok(deployments.some((d) => matches(p.spec.selector.matchLabels, d.spec.template.metadata.labels)), `PDB ${p.metadata.name} covers pods`);
    for (const i of of('Ingress')) {
      assert.ok(i.metadata.annotations?.['cert-manager.io/cluster-issuer'], 'TLS from cert-manager');
      for (const rule of i.spec.rules) {
        for (const p of rule.http.paths) {
          const svc = byName.get(`Service/${p.backend.service.name}`);
          assert.ok(svc?.spec.ports.some((sp: { name: string }) => sp.name === p.backend.service.port.name), `Ingress backend ${p.backend.service.name}:${p.backend.service.port.name} exists`);
        }
      }
      assert.deepEqual(i.spec.tls[0].hosts, i.spec.rules.map((r: { host: string }) => r.host), 'every host has its certificate');
    }
    const scalers = [...of('HorizontalPodAutoscaler'), ...of('ScaledObject')];
    assert.deepEqual(scalers.map((s) => s.spec.scaleTargetRef.name).sort(), ['atrium-api', 'atrium-worker'], 'API and workers each scaled, once');
    for (const s of scalers) {
      assert.ok(byName.has(`Deployment/${s.spec.scaleTargetRef.name}`));
      const [min, max] = s.kind === 'ScaledObject' ? [s.spec.minReplicaCount, s.spec.maxReplicaCount] : [s.spec.minReplicas, s.spec.maxReplicas];
      assert.deepEqual([min, max], [2, 50]);
    }
    if (overlay === 'keda') {
      const types = (name: string) => byName.get(`ScaledObject/${name}`)!.spec.triggers.map((t: { type: string; metadata: { query?: string } }) => t.metadata.query ?? t.type);
      assert.ok(types('atrium-worker').some((q: string) => q.includes('atrium_jobs_depth')), 'workers scale on the job backlog');
      assert.ok(types('atrium-api').some((q: string) => q.includes('histogram_quantile(0.95')), 'the API scales on its p95 latency');
    }
  });
}

test('deploy/kubernetes/migrate-job.yaml: a valid Job running `atrium migrate` as the pods run', async () => {
  const [job] = parseAllDocuments(readFileSync(path.join(DIR, 'migrate-job.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
  (await model(job)).validate();
  const pod = job.spec.template.spec;
  const [c] = pod.containers;
  assert.deepEqual(c.args, ['migrate']);
  const api = readKustomization(path.join(DIR, 'base')).find((o) => o.metadata.name === 'atrium-api')!.spec.template.spec;
  assert.deepEqual(c.envFrom, api.containers[0].envFrom, 'the same configuration as the API');
  assert.equal(c.image, api.containers[0].image, 'the same image as base/kustomization.yaml names');
  assert.equal(pod.securityContext.runAsUser, 10001);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
});

test('the ConfigMap holds only variables Atrium reads, and production accepts it with the Secret\'s keys', () => {
  const objects = readKustomization(path.join(DIR, 'base'));
  const data = objects.find((o) => o.kind === 'ConfigMap')!.data!;
  const source = readFileSync(path.join(ROOT, 'src/kernel/config.ts'), 'utf8');
  for (const key of Object.keys(data)) assert.ok(source.includes(`'${key}'`) || key === 'NODE_ENV', `${key} is read by src/kernel/config.ts`);
  // The Secret the README has you create (its keys named there).
  const readme = readFileSync(path.join(DIR, 'README.md'), 'utf8');
  const secretKeys = [...readme.matchAll(/--from-literal=([A-Z_]+)=/g)].map((m) => m[1]);
  assert.deepEqual(secretKeys.sort(), ['ATRIUM_MASTER_KEY', 'ATRIUM_SECRET', 'DATABASE_URL']);
  const config = loadConfig({
    ...data, DATABASE_URL: 'postgres://atrium_owner:pw@postgres:5432/atrium', ATRIUM_SECRET: 'k'.repeat(43), ATRIUM_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  });
  assert.equal(config.isProduction, true);
  assert.equal(config.publicUrl, 'https://atrium.example.com');
});

// `atrium deploy`: the same manifests, with an installation's values.
const BIN = path.join(ROOT, 'bin/atrium.mjs');
const atrium = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env } });

test('atrium deploy --dry-run renders an overlay with the given values, every object valid', async () => {
  const out = atrium(['deploy', '--dry-run', '--json', '--overlay', 'keda', '--image', 'registry.acme.test/atrium:1.2.3', '--host', 'Atrium.Acme.Test',
    '--issuer', 'acme-prod', '--namespace', 'agency', '--prometheus', 'http://prom.monitoring:9090']);
  assert.equal(out.status, 0, out.stderr);
  const objects = JSON.parse(out.stdout) as Obj[];
  for (const o of objects) (await model(o)).validate();
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), render('keda').map((o) => `${o.kind}/${o.metadata.name}`).sort());
  assert.ok(objects.every((o) => o.metadata.namespace === 'agency'));
  const images = objects.flatMap((o) => (o.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image));
  assert.deepEqual([...new Set(images)], ['registry.acme.test/atrium:1.2.3']);
  const ingress = objects.find((o) => o.kind === 'Ingress')!;
  assert.equal(ingress.spec.rules[0].host, 'atrium.acme.test');
  assert.deepEqual(ingress.spec.tls[0].hosts, ['atrium.acme.test']);
  assert.equal(ingress.metadata.annotations!['cert-manager.io/cluster-issuer'], 'acme-prod');
  assert.equal(objects.find((o) => o.kind === 'ConfigMap')!.data!.ATRIUM_PUBLIC_URL, 'https://atrium.acme.test');
  const servers = objects.filter((o) => o.kind === 'ScaledObject').flatMap((o) => o.spec.triggers.filter((t: { type: string }) => t.type === 'prometheus').map((t: { metadata: { serverAddress: string } }) => t.metadata.serverAddress));
  assert.ok(servers.length >= 3 && servers.every((s) => s === 'http://prom.monitoring:9090'));

  const yamlOut = atrium(['deploy', '--dry-run']);
  assert.equal(yamlOut.status, 0, yamlOut.stderr);
  const docs = parseAllDocuments(yamlOut.stdout).map((d) => d.toJS() as Obj);
  const byKey = (list: Obj[]) => [...list].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
  assert.deepEqual(byKey(docs), byKey(render('hpa')), 'without values: the overlay as kustomize renders it');
});

test('atrium deploy refuses bad values (exit 2), and names what is missing before applying anything', () => {
  for (const args of [['--host', 'not a host'], ['--overlay', 'helm'], ['--image', 'bad image'], ['--namespace', 'Upper_Case'], ['--json'], ['--timeout', '1e9']]) {
    const out = atrium(['deploy', ...args]);
    assert.equal(out.status, 2, `${args.join(' ')}: ${out.stderr}`);
    assert.match(out.stderr, /must be|goes with|--timeout/);
  }
  // No kubectl on PATH: a PATH with node alone.
  const bare = mkdtempSync(path.join(tmpdir(), 'atrium-no-kubectl-'));
  symlinkSync(process.execPath, path.join(bare, 'node'));
  const noKubectl = atrium(['deploy', '--host', 'atrium.acme.test'], { PATH: bare });
  rmSync(bare, { recursive: true, force: true });
  assert.equal(noKubectl.status, 1);
  assert.match(noKubectl.stderr, /kubectl is not installed.*--dry-run/);
  if (hasKubectl) {
    const noCluster = atrium(['deploy', '--host', 'atrium.acme.test'], { KUBECONFIG: path.join(tmpdir(), 'no-such-kubeconfig') });
    assert.equal(noCluster.status, 1);
    assert.match(noCluster.stderr, /no Kubernetes cluster reachable from the current context/);
  }
});
