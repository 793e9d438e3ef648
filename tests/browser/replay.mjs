// A replay's report in the dashboard (issue 19), in a real browser: Debian's chromium, headless, driven by
// playwright-core, against a `creditbot serve` that tests/dashboard_browser_test.cc started on loopback after
// `creditbot replay` wrote a report under a k.standard = 0.5 policy to $CREDITBOT_HOME/replays/. The worked
// example (test case 1 of CREDIT_POLICY.md, request 101) is 255.00 → 142.50: delta −112.50, −44.12%.
// Environment:
//   CREDITBOT_URL   the dashboard, e.g. http://127.0.0.1:40123
//   SCREEN_DIR      where to save the screenshots (1280×800): replays.png, replay.png
//   REPLAY_NAME     the report's folder name (20261206T184500Z-3f9a2c)
//   CHROMIUM        the browser (default /usr/bin/chromium); nothing is downloaded
// Prints one line per check ("ok …" / "FAIL …") and a last JSON line ({"csv_rows": …}); exit 0 when every
// check passed.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const base = process.env.CREDITBOT_URL;
const screens = process.env.SCREEN_DIR;
const name = process.env.REPLAY_NAME;
if (!base || !screens || !name) {
  console.error('set CREDITBOT_URL, SCREEN_DIR and REPLAY_NAME');
  process.exit(2);
}
let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok' : 'FAIL'} ${what}${detail ? ': ' + detail : ''}`);
  if (!ok) failures++;
}
const result = {};
const request101 = 'C0CREDITREQ:1752588191.000100';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const shot = async (file) => page.screenshot({ path: path.join(screens, `${file}.png`), fullPage: false });

  // No session: the Replays pages and downloads go to the sign-in page, the API answers 401.
  for (const target of ['/replays', `/replays/${name}`, `/replays/${name}/replay.csv`]) {
    await page.goto(`${base}${target}`);
    check(new URL(page.url()).pathname === '/login', `no session: ${target} redirects to /login`, page.url());
  }
  const api = await context.request.get(`${base}/api/replays`);
  check(api.status() === 401, 'no session: /api/replays is 401', String(api.status()));

  // Anyone signed in may read reports (they decide nothing).
  await page.goto(`${base}/login`);
  await page.getByLabel('Slack user id').fill('U0ANALYST1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/queue$/);

  // The navigation leads to the list; the report's row has its figures.
  await page.getByRole('link', { name: 'Replays' }).click();
  await page.waitForURL(/\/replays$/);
  const row = page.locator(`table.replays tr[data-replay="${name}"]`);
  check((await row.count()) === 1, 'the Replays page lists the report', name);
  const cells = (await row.locator('td').allTextContents()).map((text) => text.trim());
  result.list_row = cells;
  check(cells[0] === name, 'its name', cells[0]);
  check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(cells[1] || ''), 'its time', cells[1]);
  check(/k-standard-half\.toml$/.test(cells[2] || ''), 'its candidate policy', cells[2]);
  check(cells[3] === 'native', 'its executor', cells[3]);
  check(cells[4] === '1' && cells[5] === '1', 'one request, one changed', `${cells[4]} ${cells[5]}`);
  check(cells[6] === '-112.50', 'the total delta, by hand 142.50 - 255.00', cells[6]);
  check(cells[7] === '1', 'one differs by more than 1%', cells[7]);
  await shot('replays');

  // The report: the worked example's delta, the chart, the request's row.
  await row.getByRole('link', { name }).click();
  await page.waitForURL(new RegExp(`/replays/${name}$`));
  check((await page.locator('#total-delta').textContent()) === '-112.50', 'the report shows the total delta');
  const request = page.locator(`table.replay-requests tr[data-request-key="${request101}"]`);
  check((await request.count()) === 1, 'the report lists request 101');
  const figures = (await request.locator('td.n').allTextContents()).map((text) => text.trim());
  result.report_row = figures;
  check(figures.join(' ') === '255.00 142.50 -112.50 -44.12%', 'old, new, delta, relative: 255.00 142.50 -112.50 -44.12%',
    figures.join(' '));
  check(/needs approval → auto/.test(await request.textContent()), 'the approval before and after');
  check(await page.locator('.replay svg.chart rect.down').count() === 1, 'the chart draws one falling bar');
  const fill = await page.locator('.replay svg.chart rect.down').evaluate((bar) => getComputedStyle(bar).fill);
  check(fill === 'rgb(179, 38, 30)', 'the chart is styled by the dashboard\'s stylesheet', fill);
  await shot('replay');

  // The CSV, downloaded through the page's link (the session's cookie), has the request's row.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  check(download.suggestedFilename() === `replay-${name}.csv`, 'the CSV\'s file name', download.suggestedFilename());
  const csv = readFileSync(await download.path(), 'utf8');
  const csvRows = csv.split('\r\n').filter((line) => line.length > 0);
  result.csv_rows = csvRows;
  check(csvRows.length === 2, 'the CSV has a header and one row', String(csvRows.length));
  check(csvRows[0].startsWith('execution_id,request_key,product,inputs,executor,'), 'the CSV header');
  check((csvRows[1] || '').includes(`,${request101},verify,frozen,native,`), 'the CSV row names the request',
    csvRows[1]);
  check((csvRows[1] || '').includes(',255.00,142.50,-112.50,-44.12%,true,false,false,'),
    'the CSV row: 255.00 -> 142.50, -112.50, -44.12%, approval no longer needed', csvRows[1]);

  // Names outside the folder are not found, signed in or not.
  // (A bare '..' or '%2e%2e' segment the browser resolves itself before sending; the gtest
  // src/web/replay_dashboard_test.cc sends those raw.)
  for (const target of ['/replays/%2e%2e%2f%2e%2e%2fstate.db', `/replays/${name}/..%2f..%2fstate.db`,
    '/replays//etc/passwd', '/replays/.hidden']) {
    const answer = await context.request.get(`${base}${target}`, { maxRedirects: 0 });
    check(answer.status() === 404, `${target} is 404`, String(answer.status()));
  }
} catch (error) {
  check(false, 'the walk-through ran', String(error && error.stack || error));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(failures === 0 ? 0 : 1);
