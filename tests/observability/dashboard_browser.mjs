// Loads vouchd's dashboard in headless Chromium (playwright-core, from
// tests/interop's packages) and checks what an operator sees against what
// vouchd_traffic served (its info.json). Exits 1 naming each failed check.
//   node dashboard_browser.mjs INFO.json CHROMIUM SCREENSHOT.png
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../interop/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [infoPath, executablePath, screenshot] = process.argv.slice(2);
const info = JSON.parse(readFileSync(infoPath, 'utf8'));
let failed = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}${ok || !detail ? '' : ` (${detail})`}`);
  if (!ok) failed++;
}

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--headless=new'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const response = await page.goto(info.url, { waitUntil: 'load' });
  check(response.status() === 200, 'GET / answers 200', response.status());
  const text = async (sel) => ((await page.locator(sel).first().textContent()) ?? '').trim();

  check(await text('#did') === info.did, "the validator's DID", await text('#did'));
  check(await text('#ledger-head') === String(info.head_index), 'the ledger head index',
        `${await text('#ledger-head')} != ${info.head_index}`);
  check(await text('#ledger-health') === 'synced', 'the ledger is synced', await text('#ledger-health'));
  check((await text('#version')).length > 0, 'the version');

  const approved = page.locator('#decisions tr.approved');
  check(await approved.count() === 1, 'one approval listed', await approved.count());
  check((await approved.first().textContent()).includes(info.host), "the approval names the host's DID");
  check((await approved.first().textContent()).includes('approved'), 'the approval reads approved');

  const refusal = page.locator('#decisions tr.refused', { hasText: 'pcr-mismatch' });
  check(await refusal.count() === 1, 'the pcr-mismatch refusal listed', await refusal.count());
  const refusalText = await refusal.first().textContent();
  check(refusalText.includes(info.refusal_reason), 'the refusal shows its reason', refusalText);
  check(refusalText.includes(info.refuse_request_id), 'the refusal shows its request id (X-Request-Id)');

  // Newest first: the markup refusal came after the approval.
  const kinds = await page.locator('#decisions tr[class]').evaluateAll((rows) => rows.map((r) => r.className));
  check(kinds.at(-1) === 'approved' && kinds.length === 3, 'decisions newest first', kinds.join(','));

  // Markup from outside is text: the <script> in a reason and the <img
  // onerror> in a revocation are shown literally and neither runs.
  const xss = page.locator('#decisions tr.refused', { hasText: '<script>' });
  check(await xss.count() === 1 && (await xss.first().textContent()).includes(info.xss_reason),
        'a reason holding <script> is shown as text');
  check((await text('#latest-revocations')).includes(info.revocation_reason),
        'a revocation reason holding <img onerror> is shown as text');
  check((await text('#latest-revocations')).includes(info.revoked), 'the revoked credential is listed');
  check(await page.evaluate(() => document.querySelectorAll('script, img, iframe, object').length) === 0,
        'no element was injected');
  check(await page.evaluate(() => window.__vouchXss === undefined), 'no injected code ran');
  check(!(await page.title()).includes('owned'), 'the title is untouched', await page.title());
  check(dialogs.length === 0, 'no dialog opened', dialogs.join('; '));

  check((await text('#hosts-seen')) === '1', 'one host seen', await text('#hosts-seen'));
  check((await text('#http-refusals')).replace(/\s+/g, ' ').includes('413'), 'the 413 is counted on the page');
  check(consoleErrors.length === 0, 'no console errors', consoleErrors.join('; '));

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
} finally {
  await browser.close();
}
process.exit(failed === 0 ? 0 : 1);
