import { mkdtempSync, utimesSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneOldFiles } from './prune-files.js';

const logger = { info: () => {} };

describe('pruneOldFiles', () => {
  it('deletes only regular files older than maxAgeMs, relative to the occurrence time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xcore-prune-'));
    const now = new Date('2026-11-23T12:00:00Z');
    writeFileSync(join(dir, 'old.log'), 'x');
    writeFileSync(join(dir, 'new.log'), 'x');
    mkdirSync(join(dir, 'old-folder'));
    utimesSync(join(dir, 'old.log'), new Date('2026-11-21T12:00:00Z'), new Date('2026-11-21T12:00:00Z'));
    utimesSync(join(dir, 'new.log'), new Date('2026-11-23T11:00:00Z'), new Date('2026-11-23T11:00:00Z'));
    utimesSync(join(dir, 'old-folder'), new Date('2026-11-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'));
    const deleted = await pruneOldFiles({ signal: new AbortController().signal, scheduledAt: now, args: [{ dir, maxAgeMs: 86_400_000 }], logger });
    expect(deleted).toBe(1);
    expect(existsSync(join(dir, 'old.log'))).toBe(false);
    expect(existsSync(join(dir, 'new.log'))).toBe(true);
    expect(existsSync(join(dir, 'old-folder'))).toBe(true);
  });

  it('treats a missing folder as nothing to do and rejects bad args', async () => {
    const ctx = { signal: new AbortController().signal, scheduledAt: new Date(), logger };
    await expect(pruneOldFiles({ ...ctx, args: [{ dir: join(tmpdir(), 'xcore-nope-missing'), maxAgeMs: 1 }] })).resolves.toBe(0);
    await expect(pruneOldFiles({ ...ctx, args: [] })).rejects.toThrow('pruneOldFiles needs args');
  });
});
