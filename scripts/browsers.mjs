// The browsers the tests drive here: where each is and how to start it headless (as root, on a machine with no
// outside network). Chromium through the DevTools protocol, Firefox through WebDriver BiDi, both with puppeteer.
import { existsSync } from 'node:fs';

export function chromePath() {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error('No Chromium or Chrome found: install one (apt-get install chromium) or set CHROME_PATH');
  return found;
}

export const CHROME_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export function firefoxPath() {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error('No Firefox found: install one (apt-get install firefox-esr) or set FIREFOX_PATH');
  return found;
}

/**
 * puppeteer's launch options for `browser` ('chromium' or 'firefox'); `privateWindow`: Firefox opens every
 * window as a private one (no private file system there, as for a user's private window).
 */
export function launchOptions(browser, { privateWindow = false } = {}) {
  return browser === 'firefox'
    // puppeteer's own preferences for Firefox keep it from updating and reporting; ours turned it offline.
    ? { browser: 'firefox', executablePath: firefoxPath(), headless: true, ...(privateWindow ? { extraPrefsFirefox: { 'browser.privatebrowsing.autostart': true } } : {}) }
    : { executablePath: chromePath(), headless: true, args: CHROME_ARGS };
}
