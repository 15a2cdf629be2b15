import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';
import { CORE_ERROR_CODES, isXcoreError } from './errors.js';
import { describeErrorCatalogue } from '../../../test/helpers/error-catalogue.js';

describeErrorCatalogue('core', errors as Record<string, unknown>, CORE_ERROR_CODES, ['ConfigInvalidError', 'ConfigNotFoundError', 'PluginDependencyCycleError']);

describe('core errors', () => {
  it('keeps the cause and works across module copies by code', () => {
    const cause = new Error('disk');
    const error = new errors.ConfigNotFoundError('/app/xcore.yaml', { cause });
    expect(error.cause).toBe(cause);
    expect(isXcoreError({ code: 'XCORE_ERR_CONFIG_NOT_FOUND' }, 'XCORE_ERR_CONFIG_NOT_FOUND')).toBe(true);
    expect(isXcoreError(new Error('plain'))).toBe(false);
    expect(error.message).toBe(
      'Config file not found: /app/xcore.yaml. Create it (see the config reference in the README), or pass another file with `xcore start -c <file>`.',
    );
  });

  it('ends a hook failure with one full stop whatever its cause ends with', () => {
    expect(new errors.PluginHookFailedError('shop', 'onStart', new Error('db down')).message).toBe('Plugin "shop": onStart failed: db down.');
    expect(new errors.PluginHookFailedError('shop', 'onStart', new Error('Export it as default.')).message).toBe('Plugin "shop": onStart failed: Export it as default.');
    expect(new errors.PluginHookFailedError('shop', 'onLoad', 'why?').message).toBe('Plugin "shop": onLoad failed: why?');
  });
});
