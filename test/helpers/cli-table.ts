/**
 * Reading back the tables the `xcore` command prints.
 */

/** The rows of a table the CLI printed, each as `{ HEADER: cell }` (columns cut where the header's words start). */
export function parseTable(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  const starts = [...header!.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index! }));
  return lines.map((line) => Object.fromEntries(starts.map((col, i) => [col.name, line.slice(col.at, starts[i + 1]?.at).trim()])));
}
