import { describe, expect, it, vi } from 'vitest';
import { ChangeListeners } from './change-listeners.js';

describe('ChangeListeners', () => {
  it('delivers each change to every listener until it unsubscribes', () => {
    const listeners = new ChangeListeners();
    const a = vi.fn();
    const b = vi.fn();
    const offA = listeners.add(a);
    listeners.add(b);
    listeners.emit('upsert', 'job-1');
    listeners.emit('commit');
    offA();
    listeners.emit('remove', 'job-1');
    expect(a.mock.calls).toEqual([[{ kind: 'upsert', id: 'job-1' }], [{ kind: 'commit' }]]);
    expect(b.mock.calls).toEqual([[{ kind: 'upsert', id: 'job-1' }], [{ kind: 'commit' }], [{ kind: 'remove', id: 'job-1' }]]);
    listeners.clear();
    listeners.emit('pause', 'job-1');
    expect(b).toHaveBeenCalledTimes(3);
  });

  it('reports a throwing listener and still delivers to the others, even when one unsubscribes another', () => {
    const errors: unknown[] = [];
    const listeners = new ChangeListeners((error, change) => errors.push([error, change]));
    const boom = new Error('boom');
    let offLast: () => void = () => undefined;
    listeners.add(() => {
      offLast();
      throw boom;
    });
    const last = vi.fn();
    offLast = listeners.add(last);
    listeners.emit('resume', 'x');
    expect(errors).toEqual([[boom, { kind: 'resume', id: 'x' }]]);
    expect(last).toHaveBeenCalledTimes(1);
    listeners.emit('resume', 'x');
    expect(last).toHaveBeenCalledTimes(1);
  });
});
