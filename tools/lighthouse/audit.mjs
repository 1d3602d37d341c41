#!/usr/bin/env node
// Lighthouse's accessibility audit (mobile settings) and its console-error audit on a few pages, in one Chromium:
// the portal's gate in make test (tests/e2e/test_lighthouse.py runs it against a running portal).
//
// Usage: node audit.mjs PAGES.json, where PAGES.json is [{"url": "...", "cookie": "name=value" or null}, ...]:
// each page is audited with its own Cookie header, so one run covers pages of different people.
// Env: LH_DIR (where `npm install --prefix LH_DIR lighthouse@12.8.2` ran; default .cache/lighthouse),
// CHROME_PATH (default /usr/bin/chromium), LH_TIMEOUT_MS (default 180000).
//
// Prints {url: {accessibility, consoleErrors, failingAudits, problems?}} as JSON and exits 1 when a page scores
// below 1, logs a console error or was redirected (a cookie that did not work); 2 when the run itself failed.
import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LH_DIR = path.resolve(process.env.LH_DIR || '.cache/lighthouse');
const require = createRequire(path.join(LH_DIR, 'package.json'));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);
const lighthouse = (await load('lighthouse')).default;
const chromeLauncher = await load('chrome-launcher');
const puppeteer = (await load('puppeteer-core')).default;

const pages = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

// The accessibility category plus the one best-practices audit that catches console errors (Lighthouse takes
// the union of onlyCategories and onlyAudits). Mobile form factor and screen, as Lighthouse's defaults have them.
// Shorter quiet windows than the defaults: the portal's pages have no script that loads late.
const config = {
  extends: 'lighthouse:default',
  settings: {
    onlyCategories: ['accessibility'],
    onlyAudits: ['errors-in-console'],
    formFactor: 'mobile',
    throttlingMethod: 'simulate',
    disableFullPageScreenshot: true,
    skipAboutBlank: true,
    pauseAfterFcpMs: 0,
    pauseAfterLoadMs: 250,
    networkQuietThresholdMs: 250,
    cpuQuietThresholdMs: 250,
  },
};

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accordeer-lighthouse-'));
let chrome;
const watchdog = setTimeout(() => {
  console.error('audit.mjs: no result within the time allowed; stopping Chromium');
  try { chrome?.kill(); } catch {}
  fs.rmSync(userDataDir, {recursive: true, force: true});
  process.exit(2);
}, Number(process.env.LH_TIMEOUT_MS || 180000));

const summary = {};
let failed = false;
try {
  chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    // Chromium refuses to start as root without --no-sandbox (CI runs as root).
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    userDataDir,
    logLevel: 'error',
  });
  const browser = await puppeteer.connect({browserURL: `http://127.0.0.1:${chrome.port}`});
  const devtools = await browser.target().createCDPSession();
  for (const {url, cookie} of pages) {
    // A page's answer may set the session cookie again; the next page is someone else's, with only its own.
    await devtools.send('Storage.clearCookies');
    const flags = {port: chrome.port, logLevel: 'error', output: 'json',
                   ...(cookie ? {extraHeaders: {Cookie: cookie}} : {})};
    const {lhr} = await lighthouse(url, flags, config);
    const category = lhr.categories.accessibility;
    const failingAudits = (category?.auditRefs || [])
      .map((ref) => lhr.audits[ref.id])
      .filter((audit) => audit.score !== null && audit.score < 1)
      .map((audit) => ({id: audit.id, title: audit.title,
        nodes: (audit.details?.items || []).slice(0, 5).map((item) => item.node?.snippet).filter(Boolean)}));
    const consoleErrors = (lhr.audits['errors-in-console']?.details?.items || [])
      .map((item) => `${item.source}: ${item.description}`);
    const problems = [];
    if (lhr.runtimeError) problems.push(`${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
    if (lhr.finalDisplayedUrl !== url) problems.push(`shown as ${lhr.finalDisplayedUrl}, not ${url}`);
    const entry = {accessibility: category?.score ?? null, consoleErrors, failingAudits,
                   ...(problems.length ? {problems} : {})};
    if (entry.accessibility !== 1 || consoleErrors.length || problems.length) failed = true;
    summary[url] = entry;
  }
  await browser.disconnect();
} catch (error) {
  console.error('audit.mjs failed:', error);
  process.exitCode = 2;
} finally {
  clearTimeout(watchdog);
  try { chrome?.kill(); } catch {}
  fs.rmSync(userDataDir, {recursive: true, force: true, maxRetries: 5});
}
// writeSync: a pipe's console.log could be cut short by process.exit, which Lighthouse's leftover timers need.
fs.writeSync(1, JSON.stringify(summary, null, 2) + '\n');
process.exit(process.exitCode === 2 ? 2 : failed ? 1 : 0);
