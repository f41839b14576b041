// The browsers the tests drive here: where each is and how to start it headless (as root, on a machine with no
// outside network). Chromium through the DevTools protocol, Firefox through WebDriver BiDi, both with puppeteer.
import { existsSync } from 'node:fs';
import { chromePath, CHROME_ARGS } from './chrome.mjs';

export { chromePath, CHROME_ARGS };

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
