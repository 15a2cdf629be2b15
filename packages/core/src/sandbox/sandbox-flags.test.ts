import { describe, expect, it } from 'vitest';
import { permissionFlag, sandboxFlags } from './sandbox-flags.js';

describe('permissionFlag', () => {
  it.each([
    ['20.20.2', '--experimental-permission'],
    ['v21.7.0', '--experimental-permission'],
    ['22.12.0', '--experimental-permission'],
    ['22.13.0', '--permission'],
    ['23.4.0', '--experimental-permission'],
    ['23.5.0', '--permission'],
    ['24.22.3', '--permission'],
  ])('Node %s: %s', (version, flag) => {
    expect(permissionFlag(version)).toBe(flag);
  });
});

describe('sandboxFlags', () => {
  it('grants each path once, writes readable too, and allows nothing else', () => {
    const flags = sandboxFlags({ nodeVersion: '24.0.0', read: ['/b', '/a', '/b'], write: ['/data/p'], maxOldSpaceMb: 128 });
    expect(flags).toEqual([
      '--permission',
      '--allow-fs-read=/a',
      '--allow-fs-read=/b',
      '--allow-fs-read=/data/p',
      '--allow-fs-write=/data/p',
      '--max-old-space-size=128',
      '--enable-source-maps',
    ]);
    expect(flags.some((f) => /allow-(child-process|worker|addons|wasi|inspector)/.test(f))).toBe(false);
  });
});
