/**
 * Schedule ids kept in id order for keyset paging (`Store.listPage`), and the order itself.
 *
 * @remarks
 * Pure data structure, no I/O. Registering 100k jobs must stay cheap, so adds and removals are not
 * placed one by one (a sorted insert moves half the array each time): adds wait in a side list
 * and are sorted and merged in one pass on the next read; removed ids stay until that merge and
 * are skipped by the caller's liveness check meanwhile.
 */

/** Code point `c` as a UTF-16 unit is ordered in code point order: surrogates after U+E000-U+FFFF. */
function unitRank(c: number): number {
  return c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c;
}

/**
 * Compares two ids by code point, which is the order of their UTF-8 bytes (Redis's lexicographic
 * order), so memory and Redis stores page in the same order.
 */
export function compareIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < 0xd800 && y < 0xd800 ? x - y : unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

/** Ids in {@link compareIds} order, with lazy adds and removals. */
export class SortedIds {
  private sorted: string[] = [];
  private added: string[] = [];
  private removed = 0;

  /** @param isLive - whether an id is still stored (removed ids are dropped at the next merge). */
  constructor(private readonly isLive: (id: string) => boolean) {}

  /** Notes a new id. */
  add(id: string): void {
    this.added.push(id);
  }

  /** Notes that an id was removed. */
  remove(): void {
    this.removed++;
  }

  /**
   * The ids, in order, merged and cleaned if needed, and the index of the first id after `after`
   * (`null`: 0). The array may hold removed ids when few were removed since the last merge: check
   * liveness while reading it.
   */
  from(after: string | null): { readonly ids: readonly string[]; readonly start: number } {
    if (this.added.length > 0 || this.removed > this.sorted.length / 4) this.merge();
    const ids = this.sorted;
    if (after === null) return { ids, start: 0 };
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(ids[mid] as string, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return { ids, start: lo };
  }

  private merge(): void {
    const added = this.added.sort(compareIds);
    const old = this.sorted;
    const out: string[] = [];
    let i = 0;
    let j = 0;
    while (i < old.length || j < added.length) {
      const take = j >= added.length || (i < old.length && compareIds(old[i] as string, added[j] as string) <= 0) ? old[i++] : added[j++];
      if (take !== out[out.length - 1] && this.isLive(take as string)) out.push(take as string);
    }
    this.sorted = out;
    this.added = [];
    this.removed = 0;
  }
}
