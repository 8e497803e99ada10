// Screenshots of every screen of the built UI (dist/) in Debian's Chromium, against the fake
// backend (?fake=1), at 1280×800 and 1024×768. Served with the strict CSP the app ships with, so
// a CSP violation, a page error or a layout that overflows the window fails the run.
//
// Usage: npm run screens   (builds first). Output: target/screens/<width>x<height>-<name>.png

import { createServer } from 'node:http';
import { access, mkdir, readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(root, 'dist');
const out = join(root, 'target', 'screens');
const chrome = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CSP = "default-src 'self'; connect-src ipc: http://ipc.localhost; img-src 'self' data:";
const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(dist, path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const SCANNER_GAP_MS = 5;
const HUMAN_GAP_MS = 90;

/** Everything a cashier would stumble on that a script can see. */
async function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const { innerWidth: w, innerHeight: h } = window;
    const de = document.documentElement;
    if (de.scrollWidth > w || de.scrollHeight > h)
      problems.push(`page scrolls: ${de.scrollWidth}×${de.scrollHeight}`);
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden') continue;
      const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (hasText && parseFloat(style.fontSize) < 16)
        problems.push(`small text ${style.fontSize}: ${el.textContent.trim().slice(0, 30)}`);
      if (el.matches('button:not(.close-x), input') && r.height < 48 && !el.closest('.paper'))
        problems.push(
          `small target ${Math.round(r.height)}px: ${el.textContent.trim().slice(0, 30) || el.getAttribute('data-field')}`,
        );
      if (el.closest('.backdrop') === null && document.querySelector('.backdrop')) continue;
      if (r.right > w + 1 || r.bottom > h + 1) {
        if (!el.closest('.rows, .results, .paper, .body'))
          problems.push(
            `outside the window: ${el.className || el.tagName} ${Math.round(r.right)}×${Math.round(r.bottom)}`,
          );
      }
      if (
        el.matches('.num, .total, .change-amount, .fl, .msg, .name .text') &&
        el.scrollWidth > el.clientWidth + 1
      ) {
        problems.push(`cut off: ${el.textContent.trim().slice(0, 40)}`);
      }
    }
    return [...new Set(problems)];
  });
}

async function run() {
  try {
    await access(chrome);
  } catch {
    console.error(
      `No Chromium at ${chrome}: install it with \`apt-get install -y chromium\`, or set CHROMIUM.`,
    );
    process.exit(2);
  }
  await mkdir(out, { recursive: true });
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}/index.html?fake=1`;
  const browser = await chromium.launch({
    executablePath: chrome,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  const failures = [];
  let shots = 0;
  try {
    // SCREENS_SIZES=1024x700 checks another window size (tauri.conf.json allows down to 1024×700).
    const sizes = (process.env.SCREENS_SIZES ?? '1280x800,1024x768')
      .split(',')
      .map((size) => size.split('x').map(Number));
    for (const [width, height] of sizes) {
      const page = await browser.newPage({ viewport: { width, height } });
      page.on('pageerror', (e) => failures.push(`${width}: page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') failures.push(`${width}: console: ${m.text()}`);
      });
      const shot = async (name) => {
        await page.waitForTimeout(80);
        await page.screenshot({ path: join(out, `${width}x${height}-${name}.png`) });
        shots += 1;
        for (const p of await layoutProblems(page))
          failures.push(`${width}x${height} ${name}: ${p}`);
      };
      const type = (text) => page.keyboard.type(text, { delay: HUMAN_GAP_MS });
      const scan = async (code) => {
        await page.keyboard.type(code, { delay: SCANNER_GAP_MS });
        await page.keyboard.press('Enter');
        await page.waitForTimeout(60);
      };
      const key = async (k) => {
        await page.keyboard.press(k);
        await page.waitForTimeout(60);
      };
      const check = (actual, expected, what) => {
        if (actual !== expected)
          failures.push(
            `${width}: ${what}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`,
          );
      };
      const fake = (fn, arg) => page.evaluate(([f, a]) => window.__comptoirFake[f](a), [fn, arg]);

      // Outside Tauri and without ?fake=1 there is no register, and the page says so.
      await page.goto(base.replace('?fake=1', ''));
      await page.waitForSelector('.card h1');
      await shot('not-connected');

      // Another window or a `comptoir` command holds the register: only that, full screen.
      await page.goto(base);
      await page.waitForSelector('[data-field="pin"]');
      await page.evaluate(() => {
        const f = window.__comptoirFake;
        f.realInvoke = f.invoke;
        f.invoke = () =>
          Promise.reject({
            code: 'already_running',
            message:
              'Cette caisse est déjà ouverte par un autre processus (fenêtre ou commande comptoir).',
          });
      });
      await type('1234');
      await key('Enter');
      await page.waitForSelector('.blocked .retry');
      await shot('already-running');
      await page.evaluate(() => {
        const f = window.__comptoirFake;
        f.invoke = f.realInvoke;
      });
      await page.click('.blocked .retry');
      await page.waitForSelector('[data-field="pin"]');

      // Sign-in, a wrong PIN, then a lockout after five.
      await page.goto(base);
      await page.waitForSelector('[data-field="pin"]');
      await shot('sign-in');
      await type('99');
      await shot('sign-in-typing');
      await key('Enter');
      await shot('sign-in-wrong-pin');
      for (let i = 0; i < 4; i++) {
        await type('0000');
        await key('Enter');
      }
      await shot('sign-in-locked-out');

      // A fresh register: sign in, count the float.
      await page.goto(base);
      await page.waitForSelector('[data-field="pin"]');
      await type('1234');
      await key('Enter');
      await page.waitForSelector('[data-field="float"]');
      await type('150');
      await shot('open-shift');
      await key('Enter');
      await page.waitForSelector('[data-field="scan"]');
      await shot('sale-empty');

      // Ring a Montréal basket: scans, a typed code, a multiplier.
      await scan('3252920035601'); // Crème entière fluide
      await scan('0041500932156'); // Tomato Ketchup
      await type('3*');
      await scan('7542600120960'); // 3 × Fanta
      await scan('886054000001'); // brownie
      await scan('00072806004049'); // rice
      await scan('3023260029090'); // Cantal
      await scan('41473269'); // Avon body care
      await type('2*');
      await type('3760029980833'); // 2 × French IPA, typed by hand
      await key('Enter');
      await scan('0066909100531'); // chocolate
      await shot('sale-cart');
      await key('ArrowUp');
      await key('ArrowUp');
      await type('5');
      await key('F2');
      await shot('sale-multiplier');
      await key('Escape');
      await scan('0000000000017');
      await shot('sale-unknown-barcode');

      await key('F4');
      await type('creme');
      await page.waitForTimeout(100);
      await shot('search');
      await key('Escape');

      await key('F3');
      await scan('7540013105413');
      await shot('price-check');
      await key('Escape');

      await key('F5');
      await type('Sac réutilisable');
      await key('Enter');
      await type('2.50');
      await shot('open-price');
      await key('Enter');

      // A scanner burst while the quantity field has the focus: a scan, and the field stays empty.
      await key('ArrowUp');
      await key('F2');
      const before = await page.locator('.row.line').count();
      await scan('3252920035601');
      await page.waitForTimeout(100);
      check(await page.inputValue('[data-field="qty"]'), '', 'qty field after a burst');
      check(
        await page.locator('.row.line').count(),
        before + 1,
        'lines after a burst into the qty dialog',
      );
      await type('4');
      await page.waitForTimeout(100);
      check(await page.inputValue('[data-field="qty"]'), '4', 'qty field after typing');
      await shot('quantity');
      await key('Escape');

      await key('F7');
      await shot('void');
      await key('Escape');

      // Tender: card then cash, the change screen with its receipt.
      await key('F8');
      await shot('tender-cash');
      await key('F9');
      await page.fill('[data-field="card"]', '50.00');
      await key('Enter');
      await type('A12345');
      await shot('tender-card');
      await key('Enter');
      await key('F8');
      await shot('tender-split');
      await page.click('.quick .btn:not(.exact)');
      await page.waitForSelector('[data-dialog="change"] .paper');
      await shot('change');
      await key('Space');

      await key('F10');
      await shot('receipt');
      await key('Escape');

      // Park one sale, then the resume list.
      await scan('99494858');
      await scan('7540013105413');
      await key('F6');
      await shot('parked-badge');
      await key('F6');
      await shot('parked-list');
      await key('Enter');

      // The printer runs out of paper mid-shift.
      await fake('setPrinter', 'out_of_paper');
      await key('F8');
      await key('Enter');
      await page.waitForSelector('[data-dialog="change"]');
      await key('Escape');
      await shot('printer-out-of-paper');
      await fake('setPrinter', 'ok');

      // The F11 menu: paid out, no sale, X report, close shift.
      await key('F11');
      await shot('menu');
      await key('3');
      await type('20');
      await key('Enter');
      await type('Lait pour le café');
      await shot('paid-out');
      await key('Enter');
      await key('F11');
      await key('1');
      await shot('no-sale');
      await type('Monnaie pour un client');
      await key('Enter');
      await key('F11');
      await key('4');
      await shot('report-x');
      await key('Enter');

      // Returns: the first sale's receipt, two lines back (one written off), an exchange, the
      // refund and its legs; then a coupon on a new sale.
      await key('Shift+F10');
      await shot('returns-find');
      await type('MTL01-000001');
      await key('Enter');
      await page.waitForSelector('.sale-found');
      await key('F3');
      await key('ArrowDown');
      await key('F7');
      await page.click('.reason-row .chip');
      await shot('returns-sale');
      await page.click('[data-dialog="returns"] footer .primary');
      await page.waitForSelector('[data-returned]');
      await scan('3760029980833'); // French IPA
      await shot('exchange-cart');
      await key('F8');
      await shot('refund');
      await key('3'); // on store credit: a credit note
      await key('Enter');
      await page.waitForSelector('[data-dialog="refunded"] .paper');
      await shot('refund-done');
      await key('Escape');

      // The credit note pays a new sale (⇧F8): its balance, too much asked, then part of it.
      await scan('99494858'); // Crème caramel
      await scan('7540013105413'); // Poutine
      await key('Shift+F8');
      await shot('tender-credit-empty');
      await type('CR-MTL01-000001');
      await key('Enter');
      await page.waitForSelector('[data-balance]');
      await shot('tender-credit');
      await page.fill('[data-field="credit"]', '99');
      await key('Enter');
      await shot('tender-credit-short');
      await page.fill('[data-field="credit"]', '1');
      await key('Enter');
      await shot('tender-credit-leg');
      await key('Enter');
      await page.waitForSelector('[data-dialog="change"] .paper');
      await shot('change-credit');
      await key('Escape');

      // A sale that costs nothing: ketchup discounted 100 %, F8 asks to record it.
      await scan('0041500932156');
      await key('F1');
      await type('4');
      await type('100');
      await key('Enter');
      await type('Cadeau');
      await key('Enter');
      await key('F8');
      await shot('nothing-due');
      await key('Enter');
      await page.waitForSelector('[data-dialog="change"]');
      await key('Escape');
      await key('Shift+F10');
      await page.click('[data-dialog="returns"] footer .btn.soft');
      await scan('41473269');
      await shot('return-no-receipt');
      await key('Escape');
      await key('Escape');
      await type('6*');
      await scan('41473269'); // 6 × Avon body care
      await key('Shift+F1');
      await type('BIENVENUE5');
      await key('Enter');
      await type('NOPE');
      await key('Enter');
      await shot('coupon');
      await key('Escape');
      await shot('sale-coupon');
      await page.click('.cart-coupons .btn');
      await key('F7');
      await type('Client parti');
      await key('Enter');

      // F1: a line discount, an order discount, a price override on the manager's PIN pad and a
      // tax exemption; the cart shows each discount under its line and what they saved.
      await scan('3760029980833'); // French IPA
      await scan('41473269'); // Avon body care
      await key('ArrowUp');
      await key('ArrowUp');
      await key('F1');
      await shot('discounts-menu');
      await type('1');
      await type('10');
      await key('Enter');
      await type('Boîte abîmée');
      await shot('discount-line');
      await key('Enter');
      await key('F1');
      await type('4');
      await type('5');
      await key('Enter');
      await type('Fidélité');
      await shot('discount-order');
      await key('Enter');
      await key('F1');
      await type('3');
      await type('4.99');
      await key('Enter');
      await type('Prix affiché');
      await shot('price-override');
      await key('Enter');
      await type('1234');
      await shot('manager-pin');
      await key('Enter');
      await key('F1');
      await type('6');
      await type('QC-4471');
      await key('F2');
      await shot('exemption');
      await key('Enter');
      check(await page.locator('[data-adjustment]').count(), 4, 'discount rows under the lines');
      await shot('sale-discounted');

      // English, then lock and sign in as another cashier.
      await page.click('.status .btn.lang');
      await page.waitForTimeout(60);
      await scan('3252920035601');
      await shot('sale-english');
      await key('F12');
      await shot('locked');
      await type('2468');
      await key('Enter');
      await key('F6');
      await key('F11');
      await key('5');
      await type('158.10');
      await shot('close-shift');
      await key('Enter');
      await shot('report-z');
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`${shots} screenshots in ${out}`);
  if (failures.length) {
    console.error(failures.join('\n'));
    process.exitCode = 1;
  }
}

await run();
