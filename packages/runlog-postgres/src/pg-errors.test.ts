import { describe, expect, it } from 'vitest';
import { classifyPgError, isLastingAtStart, isTableGone } from './pg-errors.js';

const pgError = (code: string): Error => Object.assign(new Error(code), { code });

describe('what a PostgreSQL error means for the run log', () => {
  it('refuses the data only for data errors, and retries everything else, unknown errors included', () => {
    for (const code of ['22P05', '22003', '23514', '23502', '54000']) expect(classifyPgError(pgError(code)), code).toBe('reject');
    for (const code of ['08006', '57P01', '57014', '53300', '40P01', '42P01', '28P01', '3D000', 'XX000', '0A000']) expect(classifyPgError(pgError(code)), code).toBe('retry');
    for (const e of [pgError('ECONNREFUSED'), new Error('Connection terminated unexpectedly'), 'weird', null]) expect(classifyPgError(e)).toBe('retry');
  });

  it('stops at start only for lasting refusals, and re-migrates when the table is gone', () => {
    expect(['28P01', '28000', '3D000', '42501'].every((c) => isLastingAtStart(pgError(c)))).toBe(true);
    expect(isLastingAtStart(pgError('ECONNREFUSED'))).toBe(false);
    expect(isLastingAtStart(pgError('57P03'))).toBe(false);
    expect(isTableGone(pgError('42P01')) && isTableGone(pgError('3F000'))).toBe(true);
    expect(isTableGone(pgError('23505'))).toBe(false);
  });
});
