/**
 * Aligned text tables for the terminal: columns sized to their widest cell, shrunk with `…` to
 * fit a narrow terminal, coloured only when asked. Pure: no I/O.
 */

/** A colour a cell may have (ANSI; only used when the output is a terminal). */
export type CellStyle = 'red' | 'green' | 'yellow' | 'dim' | 'bold';

/** A cell: text, or text with a style. */
export type Cell = string | { readonly text: string; readonly style?: CellStyle | undefined };

/** A column. */
export interface Column {
  readonly header: string;
  /** Right-align (numbers, durations). @defaultValue false */
  readonly alignRight?: boolean;
  /**
   * Narrowest this column may be shrunk to when the table is too wide; columns without it are
   * never shrunk. Shrinking takes from the widest shrinkable column first.
   */
  readonly minWidth?: number;
  /**
   * Left out when the table cannot fit even with every column shrunk: the highest number goes
   * first. Columns without it are always shown.
   */
  readonly dropRank?: number;
}

/** How to render. */
export interface TableOptions {
  /** Width to fit in, in characters; `undefined` never truncates (output to a pipe or file). */
  readonly width?: number | undefined;
  /** Emit ANSI colours. @defaultValue false */
  readonly colour?: boolean;
}

const ANSI: Readonly<Record<CellStyle, readonly [string, string]>> = {
  red: ['\x1b[31m', '\x1b[39m'],
  green: ['\x1b[32m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

const GAP = '  ';

/** Length in code points (what a terminal shows for the text tables hold). */
export function textWidth(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** `text` cut to `width` code points, ending with `…` when cut. */
export function truncate(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (width <= 0) return '';
  return `${[...text].slice(0, width - 1).join('')}…`;
}

/** Control characters would move the cursor or ring the bell: shown as `?`. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * Renders `allRows` under `allColumns`, one line each, ending with a newline.
 *
 * @remarks
 * Each column is as wide as its widest cell or header. When the total passes `width`, the
 * shrinkable columns (those with `minWidth`) give up characters, widest first, down to their
 * `minWidth`; cells that no longer fit end with `…`. If it still does not fit, columns with a
 * `dropRank` are left out (highest first) and the shrinking starts again; past the last of them,
 * every column may shrink to 3 characters. Control characters in cells are shown as `?`.
 */
export function renderTable(allColumns: readonly Column[], allRows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  const allCells = allRows.map((row) => allColumns.map((_, i) => {
    const cell = row[i] ?? '';
    return typeof cell === 'string' ? { text: printable(cell), style: undefined } : { text: printable(cell.text), style: cell.style };
  }));
  const natural = allColumns.map((column, i) => Math.max(textWidth(column.header), ...allCells.map((row) => textWidth(row[i]!.text))));
  const { keep, widths } = layout(allColumns, natural, options.width);
  const columns = keep.map((i) => allColumns[i]!);
  const cells = allCells.map((row) => keep.map((i) => row[i]!));
  const paint = (text: string, style: CellStyle | undefined): string => (options.colour === true && style !== undefined ? `${ANSI[style][0]}${text}${ANSI[style][1]}` : text);
  const line = (row: readonly { text: string; style: CellStyle | undefined }[]): string => {
    const parts = row.map((cell, i) => {
      const width = widths[i]!;
      const text = truncate(cell.text, width);
      const pad = ' '.repeat(width - textWidth(text));
      const last = i === row.length - 1;
      return columns[i]!.alignRight === true ? pad + paint(text, cell.style) : paint(text, cell.style) + (last ? '' : pad);
    });
    return parts.join(GAP);
  };
  const header = line(columns.map((c) => ({ text: c.header, style: 'bold' as const })));
  return [header, ...cells.map(line)].map((l) => `${l.trimEnd()}\n`).join('');
}

/** Which columns to show (indexes) and how wide, to fit `width`. */
function layout(columns: readonly Column[], natural: readonly number[], width: number | undefined): { keep: number[]; widths: number[] } {
  const keep = columns.map((_, i) => i);
  if (width === undefined) return { keep, widths: [...natural] };
  for (;;) {
    const shown = keep.map((i) => columns[i]!);
    const widths = keep.map((i) => natural[i]!);
    if (shrink(shown, widths, width)) return { keep, widths };
    const droppable = keep.filter((i) => columns[i]!.dropRank !== undefined);
    if (droppable.length === 0) {
      // Still too wide with every optional column gone: shrink any column, down to 3 characters.
      shrink(shown.map((c) => ({ ...c, minWidth: Math.min(c.minWidth ?? 3, 3) })), widths, width);
      return { keep, widths };
    }
    const drop = droppable.reduce((a, b) => (columns[b]!.dropRank! > columns[a]!.dropRank! ? b : a));
    keep.splice(keep.indexOf(drop), 1);
  }
}

/** Shrinks `widths` in place towards `width`; true when the table fits. */
function shrink(columns: readonly Column[], widths: number[], width: number): boolean {
  const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  let excess = total() - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < columns.length; i += 1) {
      const min = columns[i]!.minWidth;
      if (min === undefined || widths[i]! <= min) continue;
      if (widest === -1 || widths[i]! > widths[widest]!) widest = i;
    }
    if (widest === -1) return false;
    widths[widest]! -= 1;
    excess -= 1;
  }
  return true;
}

/** A key/value block (`jobs show`): keys aligned, values as they are. */
export function renderFields(fields: readonly (readonly [string, Cell])[], options: TableOptions = {}): string {
  const keyWidth = Math.max(0, ...fields.map(([key]) => textWidth(key)));
  return fields
    .map(([key, value]) => {
      const cell = typeof value === 'string' ? { text: value, style: undefined } : value;
      const room = options.width === undefined ? undefined : Math.max(10, options.width - keyWidth - GAP.length);
      const text = printable(room === undefined ? cell.text : truncate(cell.text, room));
      const shown = options.colour === true && cell.style !== undefined ? `${ANSI[cell.style][0]}${text}${ANSI[cell.style][1]}` : text;
      return `${key.padEnd(keyWidth)}${GAP}${shown}\n`;
    })
    .join('');
}
