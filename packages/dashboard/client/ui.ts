/** Shared pieces of the screens: status badges, the confirmation dialog, notices. */
import type { Run } from './api.js';
import { duration, h, replace, timeEl } from './dom.js';

const STATUS_TEXT: Record<Run['status'], string> = {
  succeeded: 'succeeded', failed: 'failed', timed_out: 'timed out', aborted: 'aborted', crashed: 'crashed', out_of_memory: 'out of memory',
  missed: 'missed', skipped: 'skipped',
};

/** A coloured badge with text (colour is never the only signal). */
export function badge(text: string, tone: 'ok' | 'bad' | 'warn' | 'info' | 'muted'): HTMLElement {
  return h('span', { class: `badge badge-${tone}` }, text);
}

/** The badge of a run's status. */
export function runBadge(run: Pick<Run, 'status'>): HTMLElement {
  const tone = run.status === 'succeeded' ? 'ok' : run.status === 'failed' || run.status === 'timed_out' || run.status === 'crashed' || run.status === 'out_of_memory' ? 'bad' : 'warn';
  return badge(STATUS_TEXT[run.status], tone);
}

/** "succeeded · 120 ms · 3 min ago", or "never ran". */
export function lastRunCell(run: Run | null): HTMLElement {
  if (run === null) return h('span', { class: 'muted' }, 'never ran');
  return h('span', { class: 'last-run' }, runBadge(run), ' ', h('span', { class: 'num' }, duration(run.durationMs)), ' ', timeEl(run.finishedAt ?? run.scheduledAt));
}

/**
 * Asks the user to confirm `action` in a modal dialog (Escape or Cancel declines; focus returns to
 * where it was). Resolves true when confirmed.
 */
export function confirmAction(title: string, text: string, confirmLabel: string, tone: 'primary' | 'danger' = 'primary'): Promise<boolean> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' });
    const done = (ok: boolean): void => {
      dialog.close();
      dialog.remove();
      opener?.focus();
      resolve(ok);
    };
    const cancel = h('button', { type: 'button', class: 'button', onclick: () => done(false) }, 'Cancel');
    const confirm = h('button', { type: 'button', class: `button button-${tone}`, onclick: () => done(true) }, confirmLabel);
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      done(false);
    });
    replace(dialog, h('h2', { id: 'confirm-title' }, title), h('p', { id: 'confirm-text' }, text), h('div', { class: 'dialog-actions' }, cancel, confirm));
    document.body.appendChild(dialog);
    dialog.showModal();
    confirm.focus();
  });
}

let noticeTimer: number | undefined;

/** Shows a short message in the page's live region (read out by screen readers). */
export function notify(text: string, tone: 'ok' | 'bad' = 'ok'): void {
  const region = document.getElementById('notice');
  if (region === null) return;
  region.className = `notice notice-${tone} visible`;
  region.textContent = text;
  window.clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => region.classList.remove('visible'), tone === 'bad' ? 8000 : 4000);
}

/** An error box for a failed load. */
export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  return h('div', { class: 'error-box', role: 'alert' }, h('strong', null, 'Could not load: '), message);
}
