#!/usr/bin/env node
// Takes the dashboard screenshots shown in the README (docs/dashboard-*.png): starts a demo app
// with the built `xcore start` on a free port (memory store, plugins with realistic jobs, one that
// fails, one paused, a slow one running), signs in through the page in headless Chromium and
// captures the jobs table (light and dark), a job page, the plugins and the health screens.
//   node scripts/dashboard-screenshots.mjs        (after pnpm build; needs /usr/bin/chromium)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'xcore-shots-'));
const TOKEN = 'demo-operator-token-0123456789';
const plugin = (name, version, source, deps = {}) => {
  mkdirSync(join(dir, 'plugins', name, 'src'), { recursive: true });
  writeFileSync(join(dir, 'plugins', name, 'package.json'), JSON.stringify({ name, version, type: 'module', xcore: { name, entry: './src/index.ts', dependencies: deps } }));
  writeFileSync(join(dir, 'plugins', name, 'src', 'index.ts'), source);
};
writeFileSync(join(dir, 'xcore.yaml'), `app:
  name: acme-ops
logging:
  level: info
plugins:
  directory: ./plugins
services:
  scheduler:
    backend: memory
    jobs:
      - id: rotate-logs
        func: ./jobs.ts:noop
        trigger: { type: cron, expression: "15 2 * * *", timezone: Europe/Berlin }
  http:
    enabled: true
    port: 0
    auth:
      tokens:
        - { id: alice, token: "${TOKEN}", scopes: [operate] }
`);
writeFileSync(join(dir, 'jobs.ts'), 'export const noop = () => {};\n');
plugin('billing', '2.4.1', `const wait = (ms) => new Promise((r) => setTimeout(r, ms));
export default {
  async onStart(ctx) {
    const s = ctx.getService('scheduler');
    await s.addJob(() => wait(120), { id: 'sync-invoices', every: '4s' });
    await s.addJob(() => { throw new Error('Stripe API: card_declined (insufficient_funds) for customer cus_Q3x9\\n    at chargeCustomer (billing/src/charge.ts:42:11)\\n    at async run (billing/src/jobs.ts:17:5)'); }, { id: 'charge-renewals', every: '5s' });
    await s.addJob(() => wait(60_000), { id: 'export-ledger', every: '1h' });
    await s.addJob(() => wait(40), { id: 'dunning-emails', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' });
    for (const region of ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south']) await s.addJob(() => wait(30), { id: 'reconcile-' + region, every: '15m' });
  },
};
`);
plugin('reports', '1.0.3', `export default {
  async onStart(ctx) {
    const s = ctx.getService('scheduler');
    await s.addJob(() => {}, { id: 'weekly-revenue', cron: '0 8 * * 1', timezone: 'America/New_York' });
    await s.addJob(() => {}, { id: 'daily-signups', cron: '30 6 * * *' });
    await s.addJob(() => {}, { id: 'churn-model', every: '6h' });
  },
};
`);
plugin('search', '0.9.0', `export default {
  async onStart(ctx) {
    const s = ctx.getService('scheduler');
    await s.addJob(() => new Promise((r) => setTimeout(r, 300)), { id: 'reindex-products', every: '3s' });
    await s.addJob(() => {}, { id: 'warm-cache', every: '10m' });
  },
};
`, { reports: '^1.0.0' });
plugin('legacy-ftp', '0.3.0', `export default { async onStart() { throw new Error('FTP host ftp.partner.example refused the connection (ECONNREFUSED 203.0.113.7:21)'); } };
`);

const child = spawn(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'start', '-c', join(dir, 'xcore.yaml')], { cwd: dir, env: { ...process.env, FORCE_COLOR: '0' } });
const url = await new Promise((resolve, reject) => {
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    const match = /"msg":"http listening"/.test(buffer) && /"url":"([^"]+)"/.exec(buffer);
    if (match) resolve(match[1]);
  });
  child.on('exit', (code) => reject(new Error(`xcore exited with ${code}: ${buffer}`)));
  setTimeout(() => reject(new Error('xcore did not start within 30 s')), 30_000);
});
const api = (method, path) => fetch(`${url}/admin/v1${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
const profile = mkdtempSync(join(tmpdir(), 'xcore-shots-chromium-'));
const out = (name) => join(root, 'docs', name);
try {
  await new Promise((r) => setTimeout(r, 1500));
  await api('POST', '/jobs/billing%3Aexport-ledger/run');
  await api('POST', '/jobs/reports%3Achurn-model/pause');
  await api('POST', '/jobs/billing%3Areconcile-ap-south/pause');
  await new Promise((r) => setTimeout(r, 11_000));
  for (const scheme of ['light', 'dark']) {
    const context = await chromium.launchPersistentContext(`${profile}-${scheme}`, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, colorScheme: scheme, viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--hide-scrollbars'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}/admin/`);
    if (scheme === 'light') await page.screenshot({ path: out('dashboard-sign-in.png') });
    await page.getByLabel('Access token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('tr[data-job]').first().waitFor();
    await page.locator('.live-dot[data-status="live"]').waitFor();
    await page.waitForTimeout(1200);
    await page.screenshot({ path: out(`dashboard-jobs-${scheme}.png`) });
    if (scheme === 'light') {
      await page.goto(`${url}/admin/#/jobs/${encodeURIComponent('billing:charge-renewals')}`);
      await page.locator('table.history tbody tr').nth(1).waitFor();
      await page.locator('table.history details').first().locator('summary').click();
      await page.waitForTimeout(600);
      await page.screenshot({ path: out('dashboard-job.png') });
      await page.goto(`${url}/admin/#/plugins`);
      await page.getByRole('rowheader', { name: 'legacy-ftp' }).waitFor();
      await page.locator('tbody details').first().locator('summary').click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: out('dashboard-plugins.png') });
      await page.goto(`${url}/admin/#/health`);
      await page.getByText('Processes sharing the store').waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: out('dashboard-health.png') });
    }
    await context.close();
  }
} finally {
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  for (const scheme of ['light', 'dark']) rmSync(`${profile}-${scheme}`, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
console.log('wrote docs/dashboard-{sign-in,jobs-light,jobs-dark,job,plugins,health}.png');
