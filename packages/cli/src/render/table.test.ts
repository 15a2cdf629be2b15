import { describe, expect, it } from 'vitest';
import { renderFields, renderTable, textWidth, truncate, type Column } from './table.js';

const COLUMNS: Column[] = [{ header: 'ID', minWidth: 4 }, { header: 'N', alignRight: true }, { header: 'NOTE', minWidth: 5 }];
const ROWS = [
  ['billing:sync', '5', 'fine'],
  ['a', '120', { text: 'card declined', style: 'red' as const }],
];

describe('renderTable', () => {
  it('aligns columns to their widest cell, right-aligns numbers, trims line ends', () => {
    expect(renderTable(COLUMNS, ROWS)).toBe(
      ['ID              N  NOTE', 'billing:sync    5  fine', 'a             120  card declined', ''].join('\n'),
    );
  });

  it('shrinks the widest shrinkable column first to fit the width, cutting cells with …', () => {
    const out = renderTable(COLUMNS, ROWS, { width: 24 });
    const lines = out.trimEnd().split('\n');
    expect(lines.every((l) => textWidth(l) <= 24)).toBe(true);
    // 8 characters over: NOTE (13) and ID (12) give them up in turn, widest first.
    expect(lines).toEqual(['ID          N  NOTE', 'billing…    5  fine', 'a         120  card dec…']);
  });

  it('leaves out columns with a dropRank (highest first) when shrinking is not enough, then shrinks any column', () => {
    const columns: Column[] = [{ header: 'ID', minWidth: 4 }, { header: 'N', alignRight: true, dropRank: 1 }, { header: 'NOTE', minWidth: 5, dropRank: 2 }];
    expect(renderTable(columns, ROWS, { width: 12 })).toBe('ID         N\nbillin…    5\na        120\n');
    expect(renderTable(columns, ROWS, { width: 8 })).toBe('ID\nbilling…\na\n');
    expect(renderTable(COLUMNS, ROWS, { width: 12 })).toBe('ID     N  NO…\nbi…    5  fi…\na    120  ca…\n');
  });

  it('colours only when asked, and never lets a cell carry control characters', () => {
    expect(renderTable(COLUMNS, ROWS)).not.toContain('\x1b');
    const coloured = renderTable(COLUMNS, ROWS, { colour: true });
    expect(coloured).toContain('\x1b[31mcard declined\x1b[39m');
    expect(renderTable([{ header: 'X' }], [['a\x1b[2Jb\nc']])).toBe('X\na?[2Jb?c\n');
  });

  it('renders key/value fields aligned', () => {
    expect(renderFields([['id', 'x'], ['owner', 'billing']])).toBe('id     x\nowner  billing\n');
  });
});

describe('truncate', () => {
  it('keeps text that fits and cuts the rest to the width with …', () => {
    expect([truncate('abc', 3), truncate('abcd', 3), truncate('日本語です', 4), truncate('x', 0)]).toEqual(['abc', 'ab…', '日本語…', '']);
  });
});
