import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler } from '../service/scheduler.js';
import type { EndedRun } from './run-observer.js';

function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('run observers', () => {
  it('get every ended run with its value and error; one that throws is logged once a minute and never fails the run', async () => {
    const { logger, lines } = capture();
    const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'p1' });
    await scheduler.addJob(() => ({ n: 1 }), { id: 'ok', every: '1h' });
    await scheduler.addJob(() => {
      throw new Error('nope');
    }, { id: 'bad', every: '1h' });
    const seen: EndedRun[] = [];
    scheduler.observeRuns({ ended: () => { throw new Error('observer bug'); } });
    const off = scheduler.observeRuns({ ended: (run) => void seen.push(run) });
    for (let i = 0; i < 3; i++) expect((await scheduler.runJob('ok')).status).toBe('succeeded');
    expect((await scheduler.runJob('bad')).status).toBe('failed');
    expect(seen.map((r) => [r.record.jobId, r.record.status, r.jobOwner, r.result, (r.error as Error | undefined)?.message])).toEqual([
      ['ok', 'succeeded', 'app', { n: 1 }, undefined],
      ['ok', 'succeeded', 'app', { n: 1 }, undefined],
      ['ok', 'succeeded', 'app', { n: 1 }, undefined],
      ['bad', 'failed', 'app', undefined, 'nope'],
    ]);
    expect(lines.filter((l) => String(l['msg']).includes('run observer')).length).toBe(1);
    off();
    await scheduler.runJob('ok');
    expect(seen).toHaveLength(4);
    await scheduler.stop();
  });
});
