// Where Chromium is and how to start it headless here (as root, on a machine with no outside network).
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
