/**
 * Who the client is behind proxies: pure cases with exact expected addresses.
 */
import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from './addresses.js';
import { clientAddress, trustPolicy, type TrustProxySetting } from './client-address.js';

const client = (peer: string | undefined, forwardedFor: string | undefined, setting: TrustProxySetting): string =>
  clientAddress({ peer, forwardedFor }, trustPolicy(setting));

describe('clientAddress', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(client('203.0.113.9', '1.2.3.4', false)).toBe('203.0.113.9');
    expect(client('::ffff:203.0.113.9', undefined, false)).toBe('203.0.113.9');
    expect(client(undefined, '1.2.3.4', 1)).toBe('unknown');
  });

  it('with n hops takes the entry n steps from the right, ignoring what the client wrote further left', () => {
    expect(client('10.0.0.2', 'spoofed, 198.51.100.7', 1)).toBe('198.51.100.7');
    expect(client('10.0.0.2', '198.51.100.7, 10.0.0.1', 2)).toBe('198.51.100.7');
    expect(client('10.0.0.2', '198.51.100.7', 3)).toBe('198.51.100.7');
  });

  it('with a list follows the chain while the current hop is trusted', () => {
    const trusted = ['10.0.0.0/8', 'loopback'];
    expect(client('127.0.0.1', '6.6.6.6, 198.51.100.7, 10.1.2.3', trusted)).toBe('198.51.100.7');
    expect(client('203.0.113.9', '198.51.100.7', trusted)).toBe('203.0.113.9');
    expect(client('::1', '2001:db8::5', trusted)).toBe('2001:db8::5');
  });

  it('never takes an entry that is not an address', () => {
    expect(client('127.0.0.1', 'evil<script>', ['loopback'])).toBe('127.0.0.1');
    expect(client('10.0.0.2', '198.51.100.7, unknown', 2)).toBe('10.0.0.2');
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true], ['127.5.6.7', true], ['::1', true], ['localhost', true], ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false], ['::', false], ['192.168.1.2', false], ['example.com', false], ['localhost.evil.com', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
