/**
 * URLs of the kit's worker scripts, resolved next to this module so the kit works from any path of a site.
 * Workers and service workers must be same-origin with the page: serve the kit's build output from the
 * site itself, not from a CDN of another origin.
 *
 * The extension follows this module's own: `.ts` when the sources are served as they are (tests),
 * `.js` in the build, where every chunk sits flat next to the worker entries.
 */
const base = import.meta.url;
const ext = new URL(base).pathname.endsWith('.ts') ? '.ts' : '.js';

export interface KitAssetUrls {
  readonly leaderWorker: URL;
  readonly sharedWorker: URL;
  readonly serviceWorker: URL;
  readonly downloadWorker: URL;
}

export function kitAssetUrls(): KitAssetUrls {
  return {
    leaderWorker: new URL(`./leader-worker${ext}`, base),
    sharedWorker: new URL(`./shared-worker${ext}`, base),
    serviceWorker: new URL(`./service-worker${ext}`, base),
    downloadWorker: new URL(`./download-worker${ext}`, base),
  };
}
