/**
 * Who the client is: the socket's peer address, or an address from `X-Forwarded-For` when the
 * peer is a proxy `services.http.trustProxy` trusts. Pure: no I/O.
 */
import type { BlockList } from 'node:net';
import { contains, normalizeAddress, rangeList } from './addresses.js';

/** `services.http.trustProxy` as configured: `false`, a number of hops, or trusted addresses. */
export type TrustProxySetting = false | number | readonly string[];

/** A compiled {@link TrustProxySetting}. */
export type TrustPolicy =
  | { readonly kind: 'none' }
  | { readonly kind: 'hops'; readonly hops: number }
  | { readonly kind: 'list'; readonly list: BlockList };

/** Compiles the config setting (entries already validated by the config schema). */
export function trustPolicy(setting: TrustProxySetting): TrustPolicy {
  if (setting === false || setting === 0) return { kind: 'none' };
  if (typeof setting === 'number') return { kind: 'hops', hops: setting };
  return setting.length === 0 ? { kind: 'none' } : { kind: 'list', list: rangeList(setting) };
}

/** What the client address is derived from. */
export interface ClientAddressInput {
  /** The socket's remote address (`undefined` once the socket is gone). */
  readonly peer: string | undefined;
  /** The `X-Forwarded-For` header, several headers joined by commas. */
  readonly forwardedFor: string | undefined;
}

/**
 * The client's address for rate limiting and audit.
 *
 * @remarks
 * The chain is the peer, then the `X-Forwarded-For` entries from the right (each proxy appends
 * the address it received the request from). With `none` the peer is the client. With `hops: n`
 * the client is the entry n steps down the chain (the first n proxies are trusted, the entries a
 * client wrote itself further left are ignored). With a list, the chain is followed while the
 * current address is trusted. The walk stops before an entry that is not an IP address, so a
 * malformed header never becomes the client. `'unknown'` when the peer is gone.
 */
export function clientAddress(input: ClientAddressInput, policy: TrustPolicy): string {
  const peer = input.peer === undefined ? undefined : normalizeAddress(input.peer) ?? input.peer;
  if (peer === undefined) return 'unknown';
  if (policy.kind === 'none' || input.forwardedFor === undefined) return peer;
  const forwarded = input.forwardedFor.split(',').reverse();
  let current = peer;
  for (let step = 0; step < forwarded.length; step += 1) {
    if (policy.kind === 'hops' ? step >= policy.hops : !contains(policy.list, current)) break;
    const next = normalizeAddress(forwarded[step]!);
    if (next === undefined) break;
    current = next;
  }
  return current;
}
