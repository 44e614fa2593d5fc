// Outbound requests to addresses chosen by tenants (webhook subscriptions, workflow `http` steps)
// must not reach the platform's own network: loopback, private ranges, link-local (cloud metadata
// at 169.254.169.254), CGNAT, multicast, documentation and reserved ranges are refused unless the
// workspace allows private addresses. The check runs on the addresses the connection really uses
// (a `lookup` for node:http), so a name that resolves to a private address, or re-resolves to one
// after a first check (DNS rebinding), is refused too.
import { defineSetting } from '../settings.ts';
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Type } from '@fastify/type-provider-typebox';
import { Agent } from 'undici';

/** The workspace setting that lifts the guard (registered once, from the composition root). */
export const PRIVATE_NETWORK_SETTING = defineSetting({
  key: 'network.allow_private_addresses',
  description: 'Let webhooks and workflow HTTP steps call private, loopback and link-local addresses (off by default: they reach the platform\'s own network)',
  schema: Type.Boolean(),
  default: false,
});

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** An IPv4 address carried inside an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, compatible ::a.b.c.d). */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::|::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const hi = Number.parseInt(hex[1], 16);
  const lo = Number.parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True for an address on the public internet; false for anything private, local or reserved (or not an IP). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return !blocked.check(address, 'ipv4');
  const v4 = embeddedIpv4(address);
  if (v4) return isIP(v4) === 4 && !blocked.check(v4, 'ipv4');
  return !blocked.check(address, 'ipv6');
}

export class NonPublicAddressError extends Error {
  readonly code = 'ENONPUBLIC';
  readonly address: string;
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private, loopback or reserved address (allowed only when the workspace setting ${PRIVATE_NETWORK_SETTING.key} is on)`);
    this.address = address;
  }
}

/** The host of a URL as a bare IP when it is one (brackets of IPv6 removed), else null. */
export function literalAddressOf(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : null;
}

/**
 * Refusal reason for a URL known without DNS (scheme, IP literal, `localhost`), or null. Used to
 * refuse a bad target early (on creation); the connection-time guard is `guardedLookup`.
 */
export function checkUrlTarget(raw: string, options: { allowPrivate: boolean }): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username || url.password) return 'must not carry credentials';
  if (options.allowPrivate) return null;
  const literal = literalAddressOf(url);
  if (literal && !isPublicAddress(literal)) return `points at ${literal}, a private, loopback or reserved address`;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'points at localhost';
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http / node:net that resolves the name and refuses the connection when any
 * resolved address is not public (unless allowed). IP literals never reach a lookup: check them
 * with `checkUrlTarget` first.
 */
export function guardedLookup(options: { allowPrivate: boolean }) {
  return (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      if (!options.allowPrivate) {
        const bad = list.find((a) => !isPublicAddress(a.address));
        if (bad) return callback(new NonPublicAddressError(hostname, bad.address), []);
      }
      if (lookupOptions.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

const guardedAgents = new Map<boolean, Agent>();
/** A pooled undici dispatcher whose connections pass `guardedLookup` (one per setting, per process). */
export function guardedDispatcher(options: { allowPrivate: boolean }): Agent {
  let agent = guardedAgents.get(options.allowPrivate);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(options) }, keepAliveTimeout: 10_000 });
    guardedAgents.set(options.allowPrivate, agent);
  }
  return agent;
}
