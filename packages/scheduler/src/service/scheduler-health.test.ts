import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { RedisKeyTypeError, RedisUnavailableError } from '../errors.js';
import { SchedulerEmitter } from '../events/scheduler-events.js';
import { HealthTracker } from './scheduler-health.js';

function tracker(): { health: HealthTracker; events: string[]; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const emitter = new SchedulerEmitter(logger);
  const events: string[] = [];
  emitter.on('scheduler.degraded', (p) => void events.push(`degraded: ${p.reason}`));
  emitter.on('scheduler.recovered', () => void events.push('recovered'));
  return { health: new HealthTracker({ logger, emitter, bus: undefined }), events, logs };
}

const down = (): RedisUnavailableError => new RedisUnavailableError('RedisStore.claimDue: Redis is not reachable');
const wrongKey = (key: string): RedisKeyTypeError => new RedisKeyTypeError(`RedisStore.commit: key "${key}" holds a string`, key);

describe('HealthTracker', () => {
  it('an unreachable store degrades once and recovers at the next claim that succeeds, whoever failed', () => {
    const { health, events, logs } = tracker();
    health.report('claim', down());
    health.report('finish', down());
    health.report('slots', down());
    health.report('claim', down());
    expect(health.status().status).toBe('degraded');
    health.report('commit', null); // a commit succeeding says nothing about the others
    expect(health.status().status).toBe('degraded');
    health.report('claim', null);
    expect(health.status()).toEqual({ status: 'ok' });
    expect(events).toEqual(['degraded: store error: RedisStore.claimDue: Redis is not reachable', 'recovered']);
    expect(logs.filter((l) => l['level'] === 50)).toHaveLength(1);
  });

  it('a key of the wrong type stays degraded while claims succeed, and ends when its own source succeeds', () => {
    const { health, events, logs } = tracker();
    for (let tick = 0; tick < 10; tick++) {
      health.report('claim', null);
      health.report('commit', wrongKey('{p}:slots'));
      health.report('slots', wrongKey('{p}:slots'));
    }
    const status = health.status();
    expect(status.status === 'degraded' && status.reason).toContain('{p}:slots');
    expect(events).toHaveLength(1);
    // Logged once, naming the key and its code; another key is a new cause, logged once too.
    expect(logs.filter((l) => JSON.stringify(l).includes('{p}:slots'))).toHaveLength(1);
    health.report('finish', wrongKey('{p}:slot-data'));
    health.report('finish', wrongKey('{p}:slot-data'));
    expect(logs.filter((l) => JSON.stringify(l).includes('XCORE_ERR_REDIS_KEY_TYPE'))).toHaveLength(2);
    health.report('commit', null);
    health.report('finish', null);
    expect(health.status().status).toBe('degraded'); // the slot keeper has not passed yet
    health.report('slots', null);
    expect(health.status()).toEqual({ status: 'ok' });
    expect(events.slice(1)).toEqual(['recovered']);
  });

  it('a failed one-off call on the run path ends with the next successful claim', () => {
    const { health } = tracker();
    health.report('run', wrongKey('{p}:js:job'));
    expect(health.status().status).toBe('degraded');
    health.report('claim', null);
    expect(health.status()).toEqual({ status: 'ok' });
  });
});
