/**
 * The dashboard end to end, as a duty officer uses it: the README's first command (platform + demo) in a child
 * process, Debian's Chromium driven by playwright-core. Log in, see the demo's warning on the map, approve a
 * draft and find it in the Atom feed, open an incident from it and assign a task, silence and cancel it through
 * the page's dialog, read its hazard in French, export the situation report.
 * Every request the browser makes is recorded: none may leave 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hazardName } from '../../src/warn/words/warning-words.ts';
import { ensureWebBuild } from '../../web/build.ts';

export const CHROMIUM = process.env.EW4E_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('test/screenshots');
const PASSWORD = 'ew4e-demo-2026';

/** The README's first command on a fresh data folder, on a free port; resolves when /health answers. */
export async function startDemoServer(): Promise<{ base: string; key: string; stop: () => Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ew4e-e2e-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    EW4E_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.EW4E_ADMIN_KEY;
  delete env.EW4E_DEMO_PASSWORD;
  const child: ChildProcess = spawn(process.execPath, ['bin/ew4e.mjs', 'serve', '--demo'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the platform exited with ${child.exitCode}`);
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() - started > 90_000) throw new Error('the platform did not start within 90 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  const key = (await readFile(path.join(dataDir, 'admin-key'), 'utf8')).trim();
  return {
    base,
    key,
    stop: async () => {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Chromium with a fresh profile; every request URL is recorded. */
export async function launchBrowser(
  requests: string[],
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'ew4e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 860 },
    acceptDownloads: true,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  context.on('request', (request) => requests.push(request.url()));
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.skipIf(!existsSync(CHROMIUM))('the dashboard in Chromium', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const requests: string[] = [];
  /** The thread whose draft the duty officer approves, then silences and cancels. */
  let approvedId = 0;
  /** What the browser refused under our Content Security Policy (server/security-headers.ts): must stay empty. */
  const cspViolations: string[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: the test reads replies of several shapes.
  const api = async (url: string): Promise<any> => {
    const r = await fetch(`${server.base}${url}`, { headers: { authorization: `Bearer ${server.key}` } });
    expect(r.status, url).toBe(200);
    return r.json();
  };
  const shot = (name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    await ensureWebBuild();
    await mkdir(SCREENSHOTS, { recursive: true });
    server = await startDemoServer();
    browser = await launchBrowser(requests);
    page = await browser.context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('logs in and shows the demo’s active warning on the map', async () => {
    // The demo publishes its Dhaka warning on its own within a minute of start.
    await waitFor(
      'the demo warning',
      async () =>
        (await (await fetch(`${server.base}/feeds/warnings.atom`)).text()).includes('<entry')
          ? true
          : undefined,
      120_000,
    );
    await page.goto(`${server.base}/`);
    await page.getByLabel(/e-mail/i).fill('duty@ew4e.demo');
    await page.getByLabel(/password/i).fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/wrong/);
    await page.getByLabel(/password/i).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-testid=map][data-state=idle]').waitFor({ timeout: 30_000 });
    // The page's own map (web/src/map/warning-map.tsx exposes it): warnings actually drawn, as discs at world
    // scale or as areas once zoomed in.
    const drawn = await page.evaluate(
      "window.__ew4eMap?.map.queryRenderedFeatures({ layers: ['warning-discs', 'warnings-fill'] }).length ?? 0",
    );
    expect(drawn).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('area-card').count()).toBeGreaterThan(0);
    await shot('01-overview');
  }, 200_000);

  it('approves a draft, which then stands in the Atom feed', async () => {
    const draft = await waitFor(
      'a draft awaiting review',
      // The demo's Dhaka noise rule leaves a draft for the duty officer (Bangladesh) to review.
      async () =>
        (await api('/v1/warnings?review=true')).items.find((w: { area_desc: string }) =>
          w.area_desc.includes('Dhaka'),
        ) as { id: number } | undefined,
      120_000,
    );
    await page.getByRole('link', { name: 'Warnings' }).click();
    await page.getByLabel('Awaiting review').check();
    await page.locator(`a[href="/warnings/${draft.id}"]`).first().click();
    await page.getByTestId('approve').waitFor();
    await page.locator('[data-testid=map][data-state=idle]').waitFor();
    await shot('02-draft');
    approvedId = draft.id;
    await page.getByTestId('approve').click();
    await expect
      .poll(
        async () =>
          (await api(`/v1/warnings/${draft.id}`)).versions.some(
            (v: { status: string }) => v.status === 'published',
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    const published = (await api(`/v1/warnings/${draft.id}`)).versions.findLast(
      (v: { status: string }) => v.status === 'published',
    );
    const feed = await (await fetch(`${server.base}/feeds/warnings.atom`)).text();
    expect(feed).toContain(published.identifier);
    await shot('03-approved');
  }, 200_000);

  it('opens an incident from the warning and assigns a task', async () => {
    await page.getByTestId('open-incident').click();
    await page.waitForURL(/\/incidents\/\d+$/);
    await page.getByRole('textbox', { name: 'New task' }).fill('Inspect the brick kilns north of the city');
    await page.getByLabel('Assignee').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByTestId('task-row').filter({ hasText: 'brick kilns' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('timeline').textContent()).toMatch(/task/);
    await shot('04-incident');
  }, 60_000);

  it('publishes a CAP Update through a dialog: a higher severity, a longer expiry and a reason', async () => {
    await page.goto(`${server.base}/warnings/${approvedId}`);
    const before = (await api(`/v1/warnings/${approvedId}`)).versions.findLast(
      (v: { status: string }) => v.status === 'published',
    );
    const open = page.getByRole('button', { name: 'Update warning' });
    await open.click();
    const dialog = page.getByRole('dialog', { name: 'Update warning' });
    await dialog.waitFor();
    await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('name')")).toBe('severity');
    const confirm = dialog.getByRole('button', { name: 'Update warning' });
    await dialog.getByLabel('Reason').fill('More kilns reported by residents overnight');
    expect(await confirm.isDisabled(), 'nothing changed yet').toBe(true);
    const order = ['Minor', 'Moderate', 'Severe', 'Extreme'];
    const higher = order[Math.min(order.indexOf(before.severity) + 1, order.length - 1)] ?? 'Extreme';
    await dialog.getByLabel('Severity').selectOption(higher);
    const extend = dialog.getByLabel('Extend the expiry by (hours, 0 keeps it)');
    await extend.fill('-1');
    expect(await confirm.isDisabled(), '-1 hours').toBe(true);
    await extend.fill('6');
    expect(await confirm.isDisabled()).toBe(false);
    await shot('04u-update-dialog');
    await confirm.click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.getByTestId('action-notice').textContent())
      .toBe(`The update is published as version ${before.version + 1}`);
    const after = (await api(`/v1/warnings/${approvedId}`)).versions.at(-1);
    expect(after).toMatchObject({
      version: before.version + 1,
      msg_type: 'Update',
      status: 'published',
      severity: higher,
    });
    expect(Date.parse(after.expires)).toBe(Date.parse(before.expires) + 6 * 3_600_000);
    await expect.poll(() => page.locator('.timeline').textContent()).toMatch(/Update · published/);
  }, 60_000);

  it('silences the hazard there through a dialog that wants a reason and a valid number of hours', async () => {
    await page.goto(`${server.base}/warnings/${approvedId}`);
    const silences = async () => (await api('/v1/silences')).items as { reason: string; ends_at: string }[];
    const before = (await silences()).length;
    const open = page.getByRole('button', { name: 'Silence', exact: true });
    await open.click();
    const dialog = page.getByRole('dialog', { name: 'Silence' });
    await dialog.waitFor();
    // Focus starts in the first field, the reason.
    await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('name')")).toBe('reason');
    const confirm = dialog.getByRole('button', { name: 'Silence', exact: true });
    const hours = dialog.getByLabel('Silence this hazard here for (hours)');
    expect(await hours.inputValue()).toBe('6');
    expect(await confirm.isDisabled(), 'no reason yet').toBe(true);
    await dialog.getByLabel('Reason').fill('   ');
    expect(await confirm.isDisabled(), 'blanks are no reason').toBe(true);
    await dialog.getByLabel('Reason').fill('Kiln owners told; the noise is known and handled');
    expect(await confirm.isDisabled()).toBe(false);
    for (const wrong of ['0', '721', '2.5', '']) {
      await hours.fill(wrong);
      expect(await confirm.isDisabled(), `${wrong} hours`).toBe(true);
    }
    await hours.fill('12');
    expect(await dialog.getByTestId('silence-end').textContent()).toMatch(/^Ends: .+ UTC$/);
    // Escape closes it without acting, and focus goes back to the button that opened it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await silences()).toHaveLength(before);
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Silence');

    await open.click();
    await dialog.getByLabel('Reason').fill('Kiln owners told; the noise is known and handled');
    await dialog.getByLabel('Silence this hazard here for (hours)').fill('12');
    await shot('04a-silence-dialog');
    const asked = Date.now();
    await confirm.click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.getByTestId('action-notice').textContent())
      .toMatch(/^Silenced until .+ UTC$/);
    const made = (await silences()).find(
      (x) => x.reason === 'Kiln owners told; the noise is known and handled',
    );
    expect(made).toBeDefined();
    const endsMs = Date.parse(made!.ends_at);
    expect(endsMs).toBeGreaterThanOrEqual(asked + 12 * 3_600_000 - 1000);
    expect(endsMs).toBeLessThan(Date.now() + 12 * 3_600_000 + 1000);
    // The page says which silence holds the warning, after the notice is gone too, and lifts it.
    await page.reload();
    const holding = page.getByTestId('silence-holding');
    await expect
      .poll(() => holding.textContent())
      .toContain('Kiln owners told; the noise is known and handled');
    await holding.getByRole('button', { name: 'Lift the silence' }).click();
    await expect.poll(() => holding.count()).toBe(0);
    const active = (await api('/v1/silences?active=true')).items as { reason: string }[];
    expect(active.some((x) => x.reason === 'Kiln owners told; the noise is known and handled')).toBe(false);
  }, 60_000);

  it('cancels the warning through the dialog, which shows a refusal and lets the officer try again', async () => {
    const open = page.getByRole('button', { name: 'Cancel the warning' });
    await open.click();
    const dialog = page.getByRole('dialog', { name: 'Cancel the warning' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Cancel the warning' });
    expect(await confirm.isDisabled(), 'no reason yet').toBe(true);
    // Back closes it without acting.
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await api(`/v1/warnings/${approvedId}`)).status).toBe('open');

    await open.click();
    await dialog.getByLabel('Reason').fill('The city switched the kilns off; no one is exposed any more');
    // The API refuses once (as it does while the database restarts): the problem shows in the dialog, which stays.
    const refusal = '**/v1/warnings/*/cancel';
    await page.route(refusal, (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          title: 'Service Unavailable',
          status: 503,
          code: 'EW4E_UNAVAILABLE',
          detail: 'the database is unavailable; retry shortly',
        }),
      }),
    );
    await confirm.click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toBe('the database is unavailable; retry shortly');
    expect(await dialog.isVisible()).toBe(true);
    expect((await api(`/v1/warnings/${approvedId}`)).status).toBe('open');
    await page.unroute(refusal);
    await confirm.click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.getByTestId('action-notice').textContent())
      .toBe('The warning is cancelled.');
    // The page shows the thread ended: a published CAP Cancel, and nothing left to cancel.
    await expect.poll(() => page.locator('.timeline').textContent()).toMatch(/Cancel · published/);
    expect(await open.count()).toBe(0);
    const thread = await api(`/v1/warnings/${approvedId}`);
    expect(thread.status).toBe('closed');
    expect(thread.versions.at(-1)).toMatchObject({ msg_type: 'Cancel', status: 'published' });
    await shot('04b-cancelled');
  }, 60_000);

  it('names the hazard, the message types and the states in the language the officer picks', async () => {
    const { hazard } = await api(`/v1/warnings/${approvedId}`);
    const shown = page.getByTestId('warning-hazard');
    await expect.poll(() => shown.textContent()).toBe(hazardName(hazard, 'en'));
    await page.getByLabel('Language').selectOption('fr');
    await expect.poll(() => shown.textContent()).toBe(hazardName(hazard, 'fr'));
    expect(hazardName(hazard, 'fr')).not.toBe(hazardName(hazard, 'en'));
    // The versions' CAP message types and states too (the thread was cancelled just before).
    await expect.poll(() => page.locator('.timeline').textContent()).toMatch(/Annulation · publiée/);
    await shot('04c-french');
    await page.getByLabel('Langue').selectOption('en');
    await expect.poll(() => shown.textContent()).toBe(hazardName(hazard, 'en'));
  }, 60_000);

  it('charts a series with its expected band, downsampled by the server', async () => {
    await page.getByRole('link', { name: 'Monitoring' }).click();
    const chart = page.getByTestId('explorer-chart');
    await chart.waitFor({ timeout: 30_000 });
    const points = Number(await chart.getAttribute('data-points'));
    expect(points).toBeGreaterThan(10);
    expect(points).toBeLessThanOrEqual(2000);
    await shot('05-monitoring');
  }, 60_000);

  it('shows Kenya’s progress towards 30 % protected by 2030', async () => {
    await page.getByRole('link', { name: 'Nature (30x30)' }).click();
    await page.getByLabel('Country').selectOption('KE');
    const caption = page.locator('#progress-caption');
    await caption.waitFor({ timeout: 30_000 });
    // the demo's synthetic layer: about 17 % before its second wave of designations, more now
    const now = Number(/Land protected: ([\d.]+) %/.exec((await caption.textContent()) ?? '')?.[1]);
    expect(now).toBeGreaterThan(17);
    expect(now).toBeLessThan(30);
    await shot('06-nature');
  }, 60_000);

  it('exports a situation report as a real PDF', async () => {
    await page.getByRole('link', { name: 'Situation report' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('report-pdf').click(),
    ]);
    const file = await download.path();
    await shot('07-report');
    const bytes = await readFile(file);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(10_000);
  }, 60_000);

  it('speaks Arabic right to left, and no request left 127.0.0.1', async () => {
    await page.getByLabel('Language').selectOption('ar');
    await expect.poll(() => page.evaluate('document.documentElement.dir')).toBe('rtl');
    await page.getByRole('link', { name: 'نظرة عامة' }).click();
    await page.locator('[data-testid=map][data-state=idle]').waitFor();
    await shot('08-arabic-overview');
    // A viewer sees the same warnings but cannot approve or cancel them.
    await page.getByRole('button', { name: 'تسجيل الخروج' }).click();
    await page.getByLabel('البريد الإلكتروني').fill('viewer@ew4e.demo');
    await page.getByLabel('كلمة المرور').fill(PASSWORD);
    await page.getByRole('button', { name: 'تسجيل الدخول' }).click();
    await page.getByRole('link', { name: 'الإنذارات' }).click();
    await page.getByTestId('warning-row').first().click();
    await expect.poll(() => page.getByTestId('open-incident').isDisabled()).toBe(true);
    await shot('09-viewer');
    const outside = requests.filter((url) => {
      const { protocol, hostname } = new URL(url);
      return !(protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1');
    });
    expect(requests.length).toBeGreaterThan(10);
    expect(outside).toEqual([]);
    expect(cspViolations).toEqual([]);
  }, 60_000);
});
