/**
 * One transferring tab per store and client: a Web Lock held for the life of the tab's core. When the
 * leader tab closes, the browser hands the lock to a waiting tab, which takes over the queue.
 */
export interface Leadership {
  /** Resolves when this tab becomes the leader. */
  readonly acquired: Promise<void>;
  release(): void;
}

export function claimLeadership(name: string): Leadership {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let acquired: Promise<void>;
  if (typeof navigator !== 'undefined' && navigator.locks) {
    acquired = new Promise<void>((resolve, reject) => {
      navigator.locks
        .request(name, { mode: 'exclusive' }, () => {
          resolve();
          return released;
        })
        .catch(reject);
    });
  } else {
    // No Web Locks (an unusual embedding): this tab alone transfers.
    acquired = Promise.resolve();
  }
  return { acquired, release };
}
