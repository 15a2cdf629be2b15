import { describe, expect, it } from 'vitest';
import { createContainer } from './container.js';

describe('createContainer', () => {
  it('returns registered instances and lists the registered names for an unknown one', () => {
    const container = createContainer();
    const events = { on: () => () => undefined, once: () => () => undefined, has: () => false, emit: () => undefined };
    container.register('events', events);
    expect(container.get('events')).toBe(events);
    expect(container.has('events')).toBe(true);
    expect(container.has('logger')).toBe(false);
    expect(() => container.get('logger')).toThrow(
      expect.objectContaining({
        code: 'XCORE_ERR_SERVICE_UNKNOWN',
        registered: ['events'],
        message: 'Unknown service "logger". Registered services: events. Fix the name, or enable the service under `services:` in xcore.yaml.',
      }),
    );
  });

  it('refuses a second registration of the same name', () => {
    const container = createContainer();
    container.register('config', {} as never);
    expect(() => container.register('config', {} as never)).toThrow(expect.objectContaining({ code: 'XCORE_ERR_SERVICE_DUPLICATE' }));
    expect(container.names()).toEqual(['config']);
  });
});
