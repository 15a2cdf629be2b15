/**
 * YAML aliases of one document: what each alias points at, and how much it expands to, so the
 * config reader can refuse an alias bomb before expanding it.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Alias, type Document, type Node } from 'yaml';

/**
 * Values aliases may add to a document, at least: an alias bomb (aliases of lists of aliases,
 * nine deep in 600 bytes) expands to billions of values, while a real config repeats a small
 * block once per job. Above it, aliases may add ten times the values written in the file
 * ({@link AliasTable.limit}), so a large file may repeat more. Reading costs a few microseconds
 * per value: the floor keeps a small file under about 0.1 s.
 */
export const MIN_ALIAS_EXPANSION = 10_000;

/** How many times the written values aliases may add, when that is more than {@link MIN_ALIAS_EXPANSION}. */
const EXPANSION_FACTOR = 10;

/** The aliases of one document, resolved once. */
export interface AliasTable {
  /** The anchored node `alias` stands for (the last anchor of its name before it), or `undefined`. */
  target(alias: Alias): Node | undefined;
  /** How many values `node` stands for once every alias inside it is expanded (saturates at 2^53). */
  expandedSize(node: Node): number;
  /** Values aliases may add to this document in total. */
  readonly limit: number;
}

/**
 * Resolves every alias of `doc` in one pass over the document.
 *
 * @remarks
 * `Alias.resolve` walks the whole document on each call, which makes a file with many aliases
 * quadratic; this table answers each alias from one walk. Sizes are memoised per node, so a
 * nested alias bomb is measured in time linear in the file, without expanding it.
 */
export function aliasTable(doc: Document): AliasTable {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node | undefined>();
  let written = 0;
  visit(doc, {
    Node(_key, node) {
      written += 1;
      // The anchor is recorded before its children are visited, as YAML reads it: an alias
      // inside its own anchor points at it (a cycle the reader cuts).
      if (!isAlias(node) && typeof node.anchor === 'string') anchors.set(node.anchor, node);
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
    },
  });

  const sizes = new Map<Node, number>();
  const measuring = new Set<Node>();
  const expandedSize = (node: Node): number => {
    if (isAlias(node)) {
      const target = targets.get(node);
      return target === undefined ? 1 : expandedSize(target);
    }
    if (isScalar(node)) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (measuring.has(node)) return 1;
    measuring.add(node);
    let size = 1;
    if (isMap(node)) {
      for (const pair of node.items) if (isPair(pair) && pair.value !== null) size += 1 + expandedSize(pair.value as Node);
    } else if (isSeq(node)) {
      for (const item of node.items) size += expandedSize(item as Node);
    }
    measuring.delete(node);
    size = Math.min(size, Number.MAX_SAFE_INTEGER);
    sizes.set(node, size);
    return size;
  };

  return {
    target: (alias) => targets.get(alias),
    expandedSize,
    limit: Math.max(MIN_ALIAS_EXPANSION, EXPANSION_FACTOR * written),
  };
}
