// A @web/test-runner launcher for WebKitGTK's MiniBrowser, driven without WebDriver: under automation
// (WebKitWebDriver) WebKitGTK gives pages an ephemeral session whose private file system fails every call
// with UnknownError, so each test page opens in a MiniBrowser of its own, on a virtual display (Xvfb), with
// a data directory of its own and Safari's storage features on. The page reports to the test runner over
// its own connection, as in every browser; the launcher only starts and ends the browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where Debian puts MiniBrowser (webkit2gtk-driver pulls it in), or WEBKIT_MINIBROWSER. */
export function miniBrowserPath() {
  const arch = spawnSync('dpkg-architecture', ['-qDEB_HOST_MULTIARCH'], { encoding: 'utf8' }).stdout?.trim() || 'x86_64-linux-gnu';
  const candidates = [process.env.WEBKIT_MINIBROWSER, `/usr/lib/${arch}/webkit2gtk-4.1/MiniBrowser`, `/usr/lib/${arch}/webkit2gtk-4.0/MiniBrowser`];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error('No WebKitGTK MiniBrowser found: install it (apt-get install webkit2gtk-driver xvfb) or set WEBKIT_MINIBROWSER');
  return found;
}

/** Safari turns these on; WebKitGTK leaves them off by default. */
export const SAFARI_FEATURES = '--features=+FileSystem,+FileSystemWritableStream,+StorageAPI,+StorageAPIEstimate';

export function webkitLauncher() {
  let xvfb;
  let display;
  const sessions = new Map();
  return {
    name: 'WebKit',
    type: 'webkitgtk-minibrowser',
    concurrency: 1,
    async initialize() {
      // Xvfb picks a free display itself and writes its number to the pipe on fd 3.
      xvfb = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], detached: true });
      display = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('Xvfb did not say its display within 10 s (is the xvfb package installed?)')), 10_000);
        let said = '';
        xvfb.stdio[3].on('data', (chunk) => {
          said += chunk;
          if (!said.includes('\n')) return;
          clearTimeout(timer);
          resolve(`:${said.trim()}`);
        });
        xvfb.on('error', (error) => (clearTimeout(timer), reject(new Error(`Xvfb could not start: ${error.message} (apt-get install xvfb)`))));
      });
    },
    async stop() {
      for (const id of [...sessions.keys()]) await this.stopSession(id);
      if (xvfb) try { process.kill(-xvfb.pid, 'SIGTERM'); } catch {}
    },
    async startSession(id, url) {
      const home = mkdtempSync(path.join(tmpdir(), 'ls-webkit-'));
      const browser = spawn(miniBrowserPath(), [SAFARI_FEATURES, url], {
        env: { ...process.env, DISPLAY: display, HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CACHE_HOME: path.join(home, 'cache'), XDG_CONFIG_HOME: path.join(home, 'config') },
        stdio: 'ignore',
        detached: true,
      });
      sessions.set(id, { browser, home, url });
    },
    isActive: (id) => sessions.has(id),
    getBrowserUrl: (id) => sessions.get(id)?.url,
    async stopSession(id) {
      const session = sessions.get(id);
      sessions.delete(id);
      if (session) {
        try { process.kill(-session.browser.pid, 'SIGKILL'); } catch {}
        rmSync(session.home, { recursive: true, force: true });
      }
      return {};
    },
    async startDebugSession() {
      throw new Error('No debug sessions in MiniBrowser here');
    },
  };
}
