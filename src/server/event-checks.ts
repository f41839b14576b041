/**
 * What the sync backend accepts in a push: the kit's events only as its devices make them (synced-args.ts),
 * and events of other names only where the deployment says that an app syncs events of its own.
 */
import { invalidKitEvent, isKitEventName } from '../core/store/synced-args.js';
import { ConfigError } from './limits.js';

/** `SYNC_OTHER_EVENTS`: whether events not named `lsfs.…` are refused (the default) or passed on unchecked. */
export type OtherEvents = 'refuse' | 'accept';

/** Parses `SYNC_OTHER_EVENTS` strictly: a value that is neither choice stops the backend at its start. */
export function otherEventsOf(value: string | undefined): OtherEvents {
  if (value === undefined || value === '' || value === 'refuse') return 'refuse';
  if (value === 'accept') return 'accept';
  throw new ConfigError(`SYNC_OTHER_EVENTS is ${JSON.stringify(value)}: set it to "refuse" (the default) or "accept"`);
}

/** Why a pushed batch is refused as a whole (the first event that no device of the kit could have made), or undefined. */
export function refusedEvent(batch: readonly { readonly name: unknown; readonly args: unknown }[], other: OtherEvents): string | undefined {
  for (const [index, { name, args }] of batch.entries()) {
    if (typeof name !== 'string') return `event ${index} has no name`;
    if (isKitEventName(name)) {
      const why = invalidKitEvent(name, args);
      if (why !== undefined) return `event ${index}: ${why}`;
    } else if (other === 'refuse') {
      return `event ${index}: ${name.slice(0, 100)} is not an event of the kit (a deployment that syncs its own events sets SYNC_OTHER_EVENTS=accept)`;
    }
  }
  return undefined;
}
