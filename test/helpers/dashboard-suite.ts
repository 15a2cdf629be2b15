/**
 * The dashboard end to end, in a real headless Chromium against a real `xcore start` (the built
 * CLI on a free port), on the memory store or on a real redis-server: sign in, the jobs table,
 * search with the filter in the URL, pause and resume seen live without a reload, run now seen in
 * the history, refusals without a token and without the operate scope, a cross-site form post
 * refused, and axe-core on every main screen in both colour schemes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_TOKENS as T, startAdminApp, writeAdminApp } from './admin-app.js';
import { chromiumUnavailable, launchChromium, seriousA11yViolations, type Browser } from './browser.js';
import { removeTempAppsAfterAll } from './cli-app.js';
import type { XcoreProcess } from './cli-process.js';
import { redisUnavailable, startRedisServer, type RedisServer } from './redis-server.js';

const BULK = 60;

/** The `data-job` ids of the table's rows. */
const rowIds = (page: Page): Promise<(string | null)[]> => page.locator('tr[data-job]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job')));
/** Waits until the table shows exactly `ids` (the page's CSP forbids the string evaluation waitForFunction needs). */
const showsRows = async (page: Page, ids: (ids: (string | null)[]) => boolean): Promise<void> => {
  await expect.poll(async () => ids(await rowIds(page)), { timeout: 20_000, interval: 100 }).toBe(true);
};

/** Registers the suite for `backend`. */
export function dashboardSuite(backend: 'memory' | 'redis'): void {
  const skip = chromiumUnavailable() || (backend === 'redis' && redisUnavailable({ needBinary: true }));
  describe.skipIf(skip)(`dashboard in Chromium (${backend})`, { timeout: 90_000 }, () => {
    // Registered first: the app folders go after the afterAll below stopped the app.
    removeTempAppsAfterAll();
    let redis: RedisServer | undefined;
    let app: XcoreProcess | undefined;
    let base = '';
    let browser: Browser;
    let evil: Server | undefined;

    /** The admin API with a bearer token, as another operator's client would call it. */
    const api = async (method: string, path: string, token: string = T.operate, body?: unknown): Promise<{ status: number; body: unknown }> => {
      const response = await fetch(`${base}/admin/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? null : JSON.parse(text) };
    };
    const jobState = async (id: string): Promise<{ paused: boolean }> => (await api('GET', `/jobs/${encodeURIComponent(id)}`, T.read)).body as { paused: boolean };

    beforeAll(async () => {
      let redisUrl: string | undefined;
      if (backend === 'redis') {
        redis = await startRedisServer();
        redisUrl = redis.url;
      }
      const written = writeAdminApp({ ...(redisUrl === undefined ? {} : { redisUrl, prefix: `dash-${randomUUID().slice(0, 8)}` }) });
      const started = await startAdminApp(written.dir, { BILLING_JOBS: String(BULK) });
      app = started.app;
      base = started.url;
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      app?.child.kill('SIGKILL');
      await redis?.stop();
      await new Promise<void>((resolve) => (evil === undefined ? resolve() : evil.close(() => resolve())));
    });

    /** A fresh tab with no session cookie. */
    async function freshPage(): Promise<Page> {
      await browser.context.clearCookies();
      const page = await browser.newPage();
      page.on('pageerror', (error) => {
        throw error;
      });
      return page;
    }

    async function signIn(page: Page, token: string): Promise<void> {
      await page.goto(`${base}/admin/`);
      await page.getByLabel('Access token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('tr[data-job]').first().waitFor();
    }

    const row = (page: Page, id: string) => page.locator(`tr[data-job="${id}"]`);

    it('refuses the API without a token and a wrong token at sign-in', async () => {
      const page = await freshPage();
      await page.goto(`${base}/admin/`);
      await page.getByRole('heading', { name: 'Sign in to the dashboard' }).waitFor();
      const unauthenticated = await page.evaluate(async () => {
        const response = await fetch('/admin/v1/jobs');
        return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
      });
      expect(unauthenticated).toEqual({ status: 401, code: 'XCORE_ERR_HTTP_UNAUTHENTICATED' });
      await page.getByLabel('Access token').fill('not-a-valid-token-0123456789');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That token is not valid here').waitFor();
      expect(await page.locator('tr[data-job]').count()).toBe(0);
      expect((await browser.context.cookies()).filter((c) => c.name === 'xcore_session')).toEqual([]);
      await page.close();
    });

    it('signs in with an HttpOnly cookie and shows the jobs the API lists', async () => {
      const page = await freshPage();
      await signIn(page, T.operate);
      const cookie = (await browser.context.cookies()).find((c) => c.name === 'xcore_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
      expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toBe('');
      const listed = (await api('GET', '/jobs?limit=50', T.read)).body as { items: { id: string; owner: string; trigger: string }[] };
      const shown = await rowIds(page);
      expect(shown).toEqual(listed.items.map((j) => j.id));
      const bulk = row(page, 'billing:bulk-0007');
      await expect(bulk.locator('td').nth(0).textContent()).resolves.toBe('billing');
      await expect(bulk.locator('td').nth(1).textContent()).resolves.toBe(listed.items.find((j) => j.id === 'billing:bulk-0007')!.trigger);
      await page.getByText(`${BULK + 5} jobs`).waitFor();
      await expect(page.locator('.who-name').textContent()).resolves.toBe('operate-bot');
      // The next page comes from the server (keyset paging).
      await page.getByRole('button', { name: 'Next →' }).click();
      await showsRows(page, (ids) => ids.length > 0 && ids[0] !== listed.items[0]!.id);
      expect(page.url()).toContain('cursor=');
      await page.close();
    });

    it('searches by id and keeps the search and filters in the URL', async () => {
      const done = await api('POST', '/jobs/billing%3Acharge/run', T.operate, { wait: true, timeoutMs: 30_000 });
      expect(done.body).toMatchObject({ status: 'finished', record: { status: 'failed' } });
      const page = await freshPage();
      await signIn(page, T.operate);
      await page.getByLabel('Search by id').fill('bulk-004');
      await showsRows(page, (ids) => ids.length === 10);
      const ids = await rowIds(page);
      expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `billing:bulk-004${i}`));
      expect(new URL(page.url()).hash).toBe('#/jobs?q=bulk-004');
      await page.getByLabel('Search by id').fill('');
      await page.getByLabel('Last run').selectOption('true');
      await showsRows(page, (ids) => ids.length === 1);
      await expect(row(page, 'billing:charge').isVisible()).resolves.toBe(true);
      await expect(row(page, 'billing:charge').getByText('failed').isVisible()).resolves.toBe(true);
      expect(new URL(page.url()).hash).toBe('#/jobs?failing=true');
      // The URL alone restores the view (reload, or a shared link).
      await page.goto(`${base}/admin/#/jobs?q=weekly&owner=reports`);
      await page.reload();
      await showsRows(page, (ids) => ids.join() === 'reports:weekly');
      await expect(page.getByLabel('Search by id').inputValue()).resolves.toBe('weekly');
      await expect(page.getByLabel('Owner').inputValue()).resolves.toBe('reports');
      await page.close();
    });

    it('shows a pause and a resume live, without reloading, from the UI and from another client', async () => {
      const watcher = await freshPage();
      await signIn(watcher, T.operate);
      await watcher.getByLabel('Search by id').fill('billing:sync');
      await showsRows(watcher, (ids) => ids.length === 1);
      await watcher.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
      await watcher.locator('.live-dot[data-status="live"]').waitFor();
      expect(await row(watcher, 'billing:sync').locator('.cell-paused').textContent()).toBe('no');

      // Another operator pauses it through the API: the table follows.
      expect((await api('POST', '/jobs/billing%3Async/pause')).status).toBe(200);
      await row(watcher, 'billing:sync').locator('.cell-paused').getByText('paused').waitFor();

      // This operator resumes it from the job page, confirming in the dialog.
      const actor = await browser.newPage();
      await actor.goto(`${base}/admin/#/jobs/${encodeURIComponent('billing:sync')}`);
      await actor.getByRole('button', { name: 'Resume' }).click();
      const dialog = actor.getByRole('dialog');
      await dialog.getByRole('heading', { name: 'Resume this job?' }).waitFor();
      await dialog.getByRole('button', { name: 'Resume' }).click();
      await actor.getByRole('button', { name: 'Pause' }).waitFor();
      await row(watcher, 'billing:sync').locator('.cell-paused').getByText('no').waitFor();
      expect(await jobState('billing:sync')).toMatchObject({ paused: false });

      // Pausing from the UI, declined once with Escape, then confirmed.
      await actor.getByRole('button', { name: 'Pause' }).click();
      await actor.keyboard.press('Escape');
      await expect(actor.getByRole('dialog').count()).resolves.toBe(0);
      expect(await jobState('billing:sync')).toMatchObject({ paused: false });
      await actor.getByRole('button', { name: 'Pause' }).click();
      await actor.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
      await row(watcher, 'billing:sync').locator('.cell-paused').getByText('paused').waitFor();
      expect(await jobState('billing:sync')).toMatchObject({ paused: true });
      expect(await watcher.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
      await api('POST', '/jobs/billing%3Async/resume');
      await actor.close();
      await watcher.close();
    });

    it('runs a job now and shows the run in its history', async () => {
      const page = await freshPage();
      await signIn(page, T.operate);
      await page.goto(`${base}/admin/#/jobs/${encodeURIComponent('billing:cleanup')}`);
      await page.getByRole('heading', { name: 'Next five runs' }).waitFor();
      await page.locator('.next-runs li time').nth(4).waitFor();
      const before = await page.locator('table.history tbody tr .manual').count();
      await page.getByRole('button', { name: 'Run now' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Run now' }).click();
      await page.locator('table.history tbody tr .manual').nth(before).waitFor({ timeout: 30_000 });
      await expect(page.locator('table.history tbody tr').first().textContent()).resolves.toContain('manual by token:operate-bot');
      await page.locator('table.history tbody tr').first().getByText('succeeded').waitFor();
      const history = (await api('GET', '/runs?job=billing%3Acleanup', T.read)).body as { items: { manual: boolean; requestedBy: string | null }[] };
      expect(history.items[0]).toMatchObject({ manual: true, requestedBy: 'token:operate-bot' });
      await page.close();
    });

    it('is read-only without the operate scope, and the server refuses writes anyway', async () => {
      const page = await freshPage();
      await signIn(page, T.read);
      await page.getByText('Read-only').first().waitFor();
      await page.goto(`${base}/admin/#/jobs/${encodeURIComponent('billing:sync')}`);
      await expect(page.getByRole('button', { name: 'Run now' }).isDisabled()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: /Pause|Resume/ }).isDisabled()).resolves.toBe(true);
      const forced = await page.evaluate(async () => {
        const session = (await (await fetch('/admin/session')).json()) as { csrfToken: string };
        const response = await fetch('/admin/v1/jobs/billing%3Async/pause', { method: 'POST', headers: { 'x-csrf-token': session.csrfToken } });
        return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
      });
      expect(forced).toEqual({ status: 403, code: 'XCORE_ERR_HTTP_FORBIDDEN' });
      expect(await jobState('billing:sync')).toMatchObject({ paused: false });
      await page.close();
    });

    it('refuses a cross-site form post while signed in', async () => {
      const target = `${base}/admin/v1/jobs/billing%3Async/pause`;
      evil = createServer((_req, res) => {
        res.setHeader('content-type', 'text/html');
        res.end(`<!doctype html><html><body><form id="f" method="POST" action="${target}"><input name="x" value="1"></form><script>document.getElementById('f').submit()</script></body></html>`);
      });
      await new Promise<void>((resolve) => evil!.listen(0, '127.0.0.1', resolve));
      const page = await freshPage();
      await signIn(page, T.operate);
      const answered = page.waitForResponse((r) => r.url() === target);
      // localhost and 127.0.0.1 are different sites.
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      const response = await answered;
      expect(response.status()).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('XCORE_ERR_HTTP_CSRF_REFUSED');
      expect(await jobState('billing:sync')).toMatchObject({ paused: false });
      await page.close();
    });

    it('has no serious accessibility violations on the main screens, light and dark', async () => {
      for (const scheme of ['light', 'dark'] as const) {
        const page = await freshPage();
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${base}/admin/`);
        await page.getByLabel('Access token').waitFor();
        expect(await seriousA11yViolations(page), `sign-in (${scheme})`).toEqual([]);
        await signIn(page, T.operate);
        await page.getByText('failing').first().waitFor();
        expect(await seriousA11yViolations(page), `jobs (${scheme})`).toEqual([]);
        await page.goto(`${base}/admin/#/jobs/${encodeURIComponent('billing:charge')}`);
        await page.locator('table.history tbody tr').first().waitFor();
        await page.locator('.next-runs li').first().waitFor();
        expect(await seriousA11yViolations(page), `job (${scheme})`).toEqual([]);
        await page.goto(`${base}/admin/#/plugins`);
        await page.getByRole('rowheader', { name: 'billing' }).waitFor();
        expect(await seriousA11yViolations(page), `plugins (${scheme})`).toEqual([]);
        await page.goto(`${base}/admin/#/health`);
        await page.getByText('Processes sharing the store').waitFor();
        expect(await seriousA11yViolations(page), `health (${scheme})`).toEqual([]);
        await page.close();
      }
    });
  });
}
