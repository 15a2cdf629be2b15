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
 * Renders `rows` under `columns`, one line each, ending with a newline.
 *
 * @remarks
 * Each column is as wide as its widest cell or header. When the total passes `width`, the
 * shrinkable columns (those with `minWidth`) give up characters, widest first, down to their
 * `minWidth`; cells that no longer fit end with `…`. Control characters in cells are shown as `?`.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  const cells = rows.map((row) => columns.map((_, i) => {
    const cell = row[i] ?? '';
    return typeof cell === 'string' ? { text: printable(cell), style: undefined } : { text: printable(cell.text), style: cell.style };
  }));
  const widths = columns.map((column, i) => Math.max(textWidth(column.header), ...cells.map((row) => textWidth(row[i]!.text))));
  if (options.width !== undefined) shrink(columns, widths, options.width);
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

function shrink(columns: readonly Column[], widths: number[], width: number): void {
  const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  let excess = total() - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < columns.length; i += 1) {
      const min = columns[i]!.minWidth;
      if (min === undefined || widths[i]! <= min) continue;
      if (widest === -1 || widths[i]! > widths[widest]!) widest = i;
    }
    if (widest === -1) return;
    widths[widest]! -= 1;
    excess -= 1;
  }
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
