/**
 * The bounded FIFO a batching sink holds records in until they are written: a ring buffer, so
 * dropping the oldest when full costs O(1) rather than shifting an array of 50k entries per write.
 */
/**
 * A ring buffer of records (or what a sink builds them from) with a sequence number per record (1, 2, 3, ... in push order), so a
 * caller can tell whether everything pushed up to some point has left it.
 */
export class RunLogQueue<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private size = 0;
  /** Sequence number of the record at the front (the next to leave). */
  private front = 1;

  /** @param capacity - most records held (at least 1). */
  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }

  /** Records held. */
  get length(): number {
    return this.size;
  }

  /** Sequence number of the front record, or of the next push when empty. */
  get frontSeq(): number {
    return this.front;
  }

  /** Appends a record; the caller makes room first (see {@link RunLogQueue.dropFront}). @returns its sequence number. */
  push(record: T): number {
    if (this.size === this.capacity) throw new RangeError('RunLogQueue.push on a full queue; drop first');
    this.slots[(this.head + this.size) % this.capacity] = record;
    this.size++;
    return this.front + this.size - 1;
  }

  /** Removes and returns up to `n` records from the front, oldest first. */
  take(n: number): T[] {
    const count = Math.min(n, this.size);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.slots[this.head]!;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.size -= count;
    this.front += count;
    return out;
  }

  /** Drops up to `n` records from the front. @returns how many were dropped. */
  dropFront(n: number): number {
    const count = Math.min(n, this.size);
    for (let i = 0; i < count; i++) {
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.size -= count;
    this.front += count;
    return count;
  }
}
