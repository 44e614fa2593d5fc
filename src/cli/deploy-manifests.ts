// The Kubernetes manifests of deploy/kubernetes, read as kustomize reads what they use (resources,
// files or directories, and image overrides) and given an installation's values: what `atrium
// deploy` renders and applies, and what test/deploy/kubernetes.test.ts checks against kustomize.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const KUBERNETES_DIR = path.resolve(import.meta.dirname, '../../deploy/kubernetes');
export const OVERLAYS = ['hpa', 'keda'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** A Kubernetes object as YAML gives it. */
export type K8sObject = {
  apiVersion: string; kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; data?: Record<string, string>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

type Kustomization = { resources: string[]; images?: Array<{ name: string; newName?: string; newTag?: string }> };

export function readKustomization(dir: string): K8sObject[] {
  const k = parseAllDocuments(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'))[0].toJS() as Kustomization;
  const unknown = Object.keys(k).filter((key) => !['apiVersion', 'kind', 'resources', 'images'].includes(key));
  if (unknown.length) throw new Error(`${dir}/kustomization.yaml uses ${unknown.join(', ')}, which this reader does not apply`);
  const objects = k.resources.flatMap((r) => {
    const full = path.join(dir, r);
    return existsSync(path.join(full, 'kustomization.yaml')) ? readKustomization(full) : parseAllDocuments(readFileSync(full, 'utf8')).map((d) => d.toJS() as K8sObject);
  });
  for (const image of k.images ?? []) {
    for (const c of containers(objects)) if (c.image === image.name) c.image = `${image.newName ?? image.name}:${image.newTag ?? 'latest'}`;
  }
  return objects;
}

function containers(objects: K8sObject[]): Array<{ image: string }> {
  return objects.flatMap((o) => (o.spec?.template?.spec?.containers ?? []) as Array<{ image: string }>);
}

export type DeployValues = { overlay: Overlay; image?: string; host?: string; issuer?: string; namespace?: string; prometheus?: string };

/** The overlay's objects with the installation's values put where they belong. */
export function renderManifests(values: DeployValues): K8sObject[] {
  const objects = readKustomization(path.join(KUBERNETES_DIR, values.overlay));
  if (values.image) for (const c of containers(objects)) c.image = values.image;
  for (const o of objects) {
    if (values.namespace) o.metadata.namespace = values.namespace;
    if (o.kind === 'Ingress') {
      if (values.host) {
        for (const rule of o.spec.rules) rule.host = values.host;
        for (const tls of o.spec.tls) tls.hosts = [values.host];
      }
      if (values.issuer) o.metadata.annotations = { ...o.metadata.annotations, 'cert-manager.io/cluster-issuer': values.issuer };
    }
    if (o.kind === 'ConfigMap' && o.metadata.name === 'atrium-config' && values.host) o.data = { ...o.data, ATRIUM_PUBLIC_URL: `https://${values.host}` };
    if (o.kind === 'ScaledObject' && values.prometheus) {
      for (const t of o.spec.triggers as Array<{ type: string; metadata: Record<string, string> }>) if (t.type === 'prometheus') t.metadata.serverAddress = values.prometheus;
    }
  }
  return objects;
}

/** The host the Ingress serves. */
export function ingressHost(objects: K8sObject[]): string | undefined {
  return objects.find((o) => o.kind === 'Ingress')?.spec.rules[0]?.host as string | undefined;
}
