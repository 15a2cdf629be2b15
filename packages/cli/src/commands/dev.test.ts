import { describe, expect, it } from 'vitest';
import { parseConfigText } from '@xcore/core';
import { builtinServices } from '../services.js';
import { jobModules } from './dev.js';

describe('xcore dev: the YAML job files it watches', () => {
  it('resolves path specifiers from the config folder and skips package specifiers, scoped or not', () => {
    const text = [
      'services:',
      '  scheduler:',
      '    jobs:',
      '      - { id: local, func: "./jobs/report.ts:run", trigger: { type: interval, minutes: 1 } }',
      '      - { id: absolute, func: "/srv/jobs/clean.mjs:clean", trigger: { type: interval, minutes: 1 } }',
      '      - { id: url, func: "file:///srv/jobs/url.mjs:go", trigger: { type: interval, minutes: 1 } }',
      '      - { id: scoped, func: "@acme/jobs:nightly", trigger: { type: interval, minutes: 1 } }',
      '      - { id: bare, func: "acme-jobs:nightly", trigger: { type: interval, minutes: 1 } }',
      '',
    ].join('\n');
    const loaded = parseConfigText(text, '/app/xcore.yaml', { env: {}, services: builtinServices });
    expect(jobModules(loaded)).toEqual(['/app/jobs/report.ts', '/srv/jobs/clean.mjs', '/srv/jobs/url.mjs']);
  });
});
