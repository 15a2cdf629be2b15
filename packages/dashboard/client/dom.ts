/** A tiny DOM builder: `h('button', { class: 'primary', onclick }, 'Run now')`. No innerHTML anywhere. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type Attrs = Record<string, string | number | boolean | null | undefined | EventListener | ((event: never) => void)>;

/** Appends children (text is set as text, never parsed as HTML). */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, ...(child as Child[]));
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Creates an element with attributes (`on*` become listeners; `true` sets a boolean attribute). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value as EventListener);
    else if (key === 'style') throw new Error('inline styles are not allowed by the CSP; use a class');
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

/** Replaces every child of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** A `<time>` with a relative text ("in 5 min") and the absolute time for screen readers and hover. */
export function timeEl(iso: string | null | undefined, empty = '—'): HTMLElement {
  if (iso === null || iso === undefined) return h('span', { class: 'muted' }, empty);
  const date = new Date(iso);
  return h('time', { datetime: iso, title: date.toLocaleString() }, relative(date));
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 31_536_000_000], ['month', 2_592_000_000], ['week', 604_800_000], ['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000], ['second', 1000],
];
const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

/** "in 5 min", "3 h ago", "now". */
export function relative(date: Date, now = Date.now()): string {
  const diff = date.getTime() - now;
  const abs = Math.abs(diff);
  if (abs < 1000) return 'now';
  for (const [unit, ms] of UNITS) if (abs >= ms) return rtf.format(Math.round(diff / ms), unit);
  return 'now';
}

/** 850 ms, 2.4 s, 3 min 5 s. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A number with thousands separators. */
export function count(n: number): string {
  return n.toLocaleString();
}
