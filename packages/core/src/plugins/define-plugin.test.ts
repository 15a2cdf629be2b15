import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assertPluginDefinition, definePlugin } from './define-plugin.js';

describe('definePlugin', () => {
  it('returns the definition unchanged', () => {
    const def = { configSchema: z.object({}), onStart: () => undefined, actions: ['a'], handle: () => 1 };
    expect(definePlugin(def)).toBe(def);
  });

  it.each([
    [{ onStrat: () => undefined }, 'unknown key "onStrat"'],
    [{ onStart: 'soon' }, '"onStart" must be a function, got string'],
    [{ configSchema: { parse: () => 1 } }, '"configSchema" must be a zod schema'],
    [{ actions: ['a', 1], handle: () => 1 }, '"actions" must be an array of strings'],
    [{ actions: ['a'] }, '"actions" is set but there is no "handle"'],
    [[], 'expected an object, got an array'],
    [null, 'expected an object, got null'],
  ])('rejects %j', (value, problem) => {
    expect(() => assertPluginDefinition(value, 'x.ts')).toThrow(
      expect.objectContaining({ code: 'XCORE_ERR_PLUGIN_DEFINITION_INVALID', message: expect.stringContaining(`(x.ts): ${problem}`) }),
    );
  });
});
