import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../kernel/kernel.fixtures.js';
import { createEventBus } from './create-event-bus.js';

describe('createEventBus', () => {
  it('delivers in subscription order, unsubscribes, and delivers once', () => {
    const { logger } = memoryLogger();
    const bus = createEventBus(logger);
    const seen: string[] = [];
    const off = bus.on('plugin.stopped', ({ plugin }) => void seen.push(`a:${plugin}`));
    bus.once('plugin.stopped', ({ plugin }) => void seen.push(`once:${plugin}`));
    bus.on('plugin.stopped', ({ plugin }) => void seen.push(`b:${plugin}`));
    bus.emit('plugin.stopped', { plugin: 'x' });
    off();
    bus.emit('plugin.stopped', { plugin: 'y' });
    expect(seen).toEqual(['a:x', 'once:x', 'b:x', 'b:y']);
  });

  it('logs a listener that throws or rejects, and keeps delivering to the others', async () => {
    const { logger, lines } = memoryLogger();
    const bus = createEventBus(logger);
    const seen: string[] = [];
    bus.on('plugin.stopped', () => {
      throw new Error('sync boom');
    });
    bus.on('plugin.stopped', async () => {
      throw new Error('async boom');
    });
    bus.on('plugin.stopped', ({ plugin }) => void seen.push(plugin));
    expect(() => bus.emit('plugin.stopped', { plugin: 'p' })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['p']);
    const failures = lines.filter((l) => l['msg'] === 'event listener failed');
    expect(failures.map((l) => [(l['err'] as { message: string }).message, l['event'], l['level']])).toEqual([
      ['sync boom', 'plugin.stopped', 50],
      ['async boom', 'plugin.stopped', 50],
    ]);
  });

  it('has(event) is true only while a listener is subscribed', () => {
    const bus = createEventBus(memoryLogger().logger);
    expect(bus.has('plugin.stopped')).toBe(false);
    const off = bus.on('plugin.stopped', () => undefined);
    const offOnce = bus.once('plugin.started', () => undefined);
    expect([bus.has('plugin.stopped'), bus.has('plugin.started'), bus.has('plugin.failed')]).toEqual([true, true, false]);
    off();
    bus.emit('plugin.started', { plugin: 'p', durationMs: 1 });
    expect([bus.has('plugin.stopped'), bus.has('plugin.started')]).toEqual([false, false]);
    offOnce();
  });
});
