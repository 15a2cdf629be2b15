/**
 * The config reference of `xcore.yaml` as a Markdown table, generated from the JSON Schema that
 * the zod schemas produce (`xcore schema --markdown`; the README embeds the output, and a test
 * keeps the two equal).
 */

/** The subset of JSON Schema the zod schemas emit that the reference reads. */
interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly defaultValue: string;
  readonly description: string;
}

const DURATION_PATTERN_HINT = '(ms|s|m|h|d|w)';
const SIZE_PATTERN_HINT = '(b|kb|kib|mb|mib|gb|gib)';
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Renders every leaf and section of the config file as rows of a Markdown table. */
export function configReferenceMarkdown(schema: SchemaNode): string {
  const rows: Row[] = [];
  walk(schema, '', rows);
  const lines = ['| key | type | default | description |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| \`${row.path}\` | ${row.type} | ${row.defaultValue} | ${row.description} |`);
  return `${lines.join('\n')}\n`;
}

function walk(node: SchemaNode, path: string, rows: Row[]): void {
  const variants = node.oneOf ?? (node.anyOf?.every((v) => v.properties !== undefined) ? node.anyOf : undefined);
  if (variants !== undefined && variants.length > 0) {
    if (path !== '') rows.push(row(node, path, variants.map((v) => kindOf(v)).join(' \\| ')));
    for (const variant of variants) {
      const kind = variant.properties?.type?.const;
      const label = typeof kind === 'string' ? `${path} (type: ${kind})` : path;
      for (const [key, child] of Object.entries(variant.properties ?? {})) {
        if (key === 'type') continue;
        walk(child, `${label}.${key}`, rows);
      }
    }
    return;
  }
  const objects = node.anyOf?.filter((v) => v.properties !== undefined) ?? [];
  if (objects.length > 0 && path !== '') {
    // A value or a section (`auth: none`, or `auth: { tokens, jwt }`): one row, then the section's keys.
    rows.push(row(node, path, node.anyOf!.map((v) => (v.properties === undefined ? typeText(v) : 'object')).join(' \\| ')));
    for (const variant of objects) for (const [key, child] of Object.entries(variant.properties!)) walk(child, `${path}.${key}`, rows);
    return;
  }
  if (node.properties !== undefined) {
    if (path !== '') rows.push(row(node, path, 'object'));
    for (const [key, child] of Object.entries(node.properties)) {
      if (key === '$schema') continue;
      walk(child, path === '' ? key : `${path}.${key}`, rows);
    }
    return;
  }
  if (node.items?.properties !== undefined) {
    rows.push(row(node, path, 'list of objects'));
    for (const [key, child] of Object.entries(node.items.properties)) walk(child, `${path}[].${key}`, rows);
    return;
  }
  rows.push(row(node, path, typeText(node)));
}

function row(node: SchemaNode, path: string, type: string): Row {
  return {
    path,
    type,
    defaultValue: node.default === undefined || (typeof node.default === 'object' && node.default !== null && Object.keys(node.default).length === 0) ? '' : `\`${JSON.stringify(node.default)}\``,
    description: (node.description ?? '').replace(/\|/g, '\\|').replace(/\n+/g, ' '),
  };
}

function kindOf(node: SchemaNode): string {
  const kind = node.properties?.type?.const;
  return typeof kind === 'string' ? `\`${kind}\`` : typeText(node);
}

function typeText(node: SchemaNode): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum !== undefined) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (node.anyOf !== undefined) {
    // A duration is "number ≥ 0 or duration text": show it as one type.
    const parts = node.anyOf.map(typeText);
    if (parts.includes('duration')) return parts.filter((p) => p !== 'number ≥ 0').join(' \\| ');
    // A size is "a number of bytes or size text": show it as one type.
    if (parts.includes('size')) return parts.filter((p) => p !== 'number').join(' \\| ');
    const unique = [...new Set(parts.flatMap((p) => p.split(' \\| ')))];
    // A branch JSON Schema cannot express (a YAML timestamp) adds nothing a reader can use.
    return (unique.length > 1 ? unique.filter((p) => p !== 'any') : unique).join(' \\| ');
  }
  if (node.type === 'string' && node.pattern?.includes(DURATION_PATTERN_HINT)) return 'duration';
  if (node.type === 'string' && node.pattern?.includes(SIZE_PATTERN_HINT)) return 'size';
  if (node.type === 'number' && node.minimum === 0) return 'number ≥ 0';
  if (node.type === 'integer') {
    const max = node.maximum === MAX_SAFE ? undefined : node.maximum;
    if (node.minimum !== undefined && max !== undefined) return `integer ${node.minimum}..${max}`;
    return node.minimum === undefined ? 'integer' : `integer ≥ ${node.minimum}`;
  }
  if (node.type === 'array') return `list of ${node.items === undefined ? 'values' : typeText(node.items)}`;
  if (Array.isArray(node.type)) return node.type.join(' \\| ');
  if (typeof node.type === 'string') return node.type === 'object' ? 'map' : node.type;
  return 'any';
}
