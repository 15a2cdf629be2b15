import { describe, expect, it } from 'vitest';
import { renderTemplate, templateProblem } from './template.js';

const values = { app: 'billing', host: 'web-1', jobId: 'invoices:send', owner: 'invoices', outcome: 'timed_out', status: 'timed out', event: 'failure', rule: 'rule-1' };

describe('subject templates', () => {
  it('fills placeholders and writes {{ and }} as braces', () => {
    expect(renderTemplate('[{app}@{host}] {jobId} ({owner}) {status}: {{{outcome}}} {event}/{rule}', values)).toBe(
      '[billing@web-1] invoices:send (invoices) timed out: {timed_out} failure/rule-1',
    );
  });

  it('names an unknown placeholder or a lone brace', () => {
    expect(templateProblem('{app} {job}')).toBe('unknown placeholder {job}');
    expect(templateProblem('{app')).toBe('unmatched "{" at character 1 (write {{ or }} for a literal brace)');
    expect(templateProblem('a } b')).toBe('unmatched "}" at character 3 (write {{ or }} for a literal brace)');
    expect(templateProblem('{{literal}} {app}')).toBeUndefined();
  });
});
