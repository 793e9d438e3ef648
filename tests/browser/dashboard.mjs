// The dashboard in a real browser (issue 18): Debian's chromium, headless, driven by playwright-core, against
// a `creditbot serve` the gtest tests/dashboard_browser_test.cc started on loopback (the embedded default with
// the sample request 101 awaiting a decision: $255.00, parent ACp). Environment:
//   CREDITBOT_URL   the dashboard, e.g. http://127.0.0.1:40123
//   SCREEN_DIR      where to save the screenshots (1280×800), one per page
//   CHROMIUM        the browser (default /usr/bin/chromium); nothing is downloaded
//   SIGN_IN         "slack": sign in through Sign in with Slack (the fake Slack's OpenID provider); else the
//                   local form (and a non-approver's refusal first)
// Last, the approver pauses creditbot with a reason (the banner on every page, /api/pause) and resumes it.
// Prints one line per check ("ok …" / "FAIL …") and a last JSON line with what the gtest checks further
// ({"execution_id": …, "csv_rows": …}); exit 0 when every check passed.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const base = process.env.CREDITBOT_URL;
const screens = process.env.SCREEN_DIR;
if (!base || !screens) {
  console.error('set CREDITBOT_URL and SCREEN_DIR');
  process.exit(2);
}
let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok' : 'FAIL'} ${what}${detail ? ': ' + detail : ''}`);
  if (!ok) failures++;
}
const result = {};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const shot = async (name) => page.screenshot({ path: path.join(screens, `${name}.png`), fullPage: false });

  // No session: pages go to the sign-in page, the API answers 401.
  await page.goto(`${base}/queue`);
  check(new URL(page.url()).pathname === '/login', 'no session: /queue redirects to /login', page.url());
  const api = await context.request.get(`${base}/api/queue`);
  check(api.status() === 401, 'no session: /api/queue is 401', String(api.status()));
  await shot('sign-in');

  // SIGN_IN=slack: through "Sign in with Slack" (the fake Slack's OpenID provider signs in the user the
  // gtest chose, an approver); otherwise the embedded default's local form.
  const viaSlack = process.env.SIGN_IN === 'slack';
  async function signIn(user) {
    await page.goto(`${base}/login`);
    if (viaSlack) {
      await page.getByRole('link', { name: 'Sign in with Slack' }).click();
    } else {
      await page.getByLabel('Slack user id').fill(user);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.waitForURL(/\/queue$/);
  }
  async function signOut() {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
  }

  // A non-approver sees the queue but is refused, told who can decide (local sign-in names anyone).
  if (!viaSlack) {
    await signIn('U0BYSTANDER');
    const row = page.locator('table.queue tbody tr').first();
    await row.getByRole('button', { name: /^Approve/ }).click();
    const refusal = await page.locator('p.alert').textContent();
    check(/U0APPROVER1/.test(refusal || ''), 'a non-approver is refused, told who can', refusal);
    check(/Running/.test(await page.locator('#pause-banner').textContent()), 'a non-approver sees the switch');
    check((await page.getByRole('button', { name: 'Pause' }).count()) === 0, 'but has no Pause button');
    await signOut();
  }

  // The approver signs in and sees the queue.
  await signIn('U0APPROVER1');
  const rows = page.locator('table.queue tbody tr');
  result.execution_id = await rows.first().getAttribute('data-execution-id');
  check(!!result.execution_id, 'the queue lists the awaiting request', result.execution_id || 'none');
  check((await rows.count()) === 1, 'one request awaits a decision', String(await rows.count()));
  const queueText = await rows.first().textContent();
  check(/255\.00 USD/.test(queueText) && /ACp/.test(queueText), 'the queue shows amount and parent', queueText);
  await shot('queue');

  // A form posted without the CSRF token is refused (the session cookie alone is not enough).
  const forged = await context.request.post(`${base}/decide`, {
    form: { execution_id: result.execution_id, action: 'approve' },
  });
  check(forged.status() === 403, 'a POST without the CSRF token is 403', String(forged.status()));

  // Approve through the one decision path.
  await rows.first().getByRole('button', { name: /^Approve/ }).click();
  const notice = await page.locator('p.notice').textContent();
  check(/Approved/.test(notice || ''), 'the approval is recorded', notice);
  check((await page.locator('table.queue tbody tr').count()) === 0, 'the queue is empty after it');

  // History, filtered to approved entries.
  await page.getByRole('link', { name: 'History' }).click();
  await page.getByLabel('Status').selectOption('approved');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/status=approved/);
  const count = await page.locator('#count').textContent();
  check(/of 1$/.test(count || ''), 'history filtered to approved: one entry', count);
  const historyRow = page.locator(`tr[data-execution-id="${result.execution_id}"]`);
  check((await historyRow.count()) === 1, 'the approved request is in the filtered history');
  await shot('history');

  // The CSV of the filtered view.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  const csvRows = csv.split('\r\n').filter((line) => line.length > 0);
  result.csv_rows = csvRows;
  check(csvRows.length === 2, 'the CSV has a header and one row', String(csvRows.length));
  check(csvRows[0].startsWith('execution_id,request_key,'), 'the CSV header');
  check((csvRows[1] || '').startsWith(`${result.execution_id},C0CREDITREQ:1752588191.000100,`), 'the CSV row names the request');
  check(/,255\.00,approved,255\.00,USD,U0APPROVER1,/.test(csvRows[1] || ''), 'the CSV row: approved 255.00 by U0APPROVER1');

  // One request.
  await historyRow.getByRole('link', { name: result.execution_id }).click();
  await page.waitForURL(/\/requests\//);
  check((await page.locator('#status').textContent()).startsWith('approved'), 'the request page shows approved');
  const reply = await page.locator('section:has(h2:text("Reply")) pre').textContent();
  check(/Recommended credit: \$255\.00 USD/.test(reply || ''), 'the request page shows the reply', (reply || '').slice(0, 80));
  const lines = await page.locator('table.lines tbody tr').count();
  check(lines > 0, 'every line with its why', String(lines));
  check(await page.getByRole('link', { name: 'Looker report' }).count() === 1, 'a link to the Looker report');
  check(await page.getByRole('link', { name: 'Slack thread' }).count() >= 1, 'a link to the Slack thread');
  await shot('request');

  // Charts: the data behind them, and the page drawn.
  await page.getByRole('link', { name: 'Charts' }).click();
  await page.waitForSelector('body[data-charts-loaded="true"]', { timeout: 20000 });
  const charts = await page.evaluate(() => window.creditbotChartData);
  const approved = (charts.weekly.values.approved || []).reduce((a, b) => a + b, 0);
  const history = await (await context.request.get(`${base}/api/history`)).json();
  const credited = history.entries
    .filter((e) => ['approved', 'auto_approved', 'adjusted'].includes(e.status))
    .reduce((a, e) => a + Number(e.final_amount), 0);
  result.weekly_approved = approved;
  check(Math.abs(approved - credited) < 0.005 && approved >= 255,
    'the weekly chart\'s approved credits add up to the ledger\'s', `${approved} vs ${credited}`);
  const drawn = await page.evaluate(() => typeof Chart !== 'undefined' && !!Chart.getChart('chart-weekly'));
  check(drawn, 'Chart.js drew the weekly chart');
  await shot('charts');

  // Pause with a reason: every page says so (who, since, why); then resume.
  await page.getByLabel('Reason').first().fill('quarter-end audit');
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForURL(/\/queue$/);
  const banner = await page.locator('#pause-banner').textContent();
  check(/Paused/.test(banner) && /quarter-end audit/.test(banner) && /U0APPROVER1/.test(banner) && /since \d{4}-/.test(banner),
    'paused: the banner names why, who and since when', banner);
  await page.getByRole('link', { name: 'History' }).click();
  check(/quarter-end audit/.test(await page.locator('#pause-banner').textContent()), 'the history page shows the pause');
  const paused = await (await context.request.get(`${base}/api/pause`)).json();
  check(paused.paused === true && paused.reason === 'quarter-end audit', 'the API says paused', JSON.stringify(paused));
  await shot('paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.waitForURL(/\/queue$/);
  check(/Running/.test(await page.locator('#pause-banner').textContent()), 'resumed: the banner says running');
  const resumed = await (await context.request.get(`${base}/api/pause`)).json();
  check(resumed.paused === false, 'the API says not paused', JSON.stringify(resumed));
} catch (error) {
  check(false, 'the walk-through ran', String(error && error.stack || error));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(failures === 0 ? 0 : 1);
