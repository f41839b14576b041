/** Messages between the kit's service worker and the pages that answer its lookups. */

export type LookupRequest = { readonly type: 'lsfs-lookup'; readonly storeId?: string; readonly fileId: string };

export type LookupReply =
  | { readonly kind: 'not-found' }
  | {
      readonly kind: 'file';
      readonly storeId: string;
      /** The OPFS directory holding the store's bytes. */
      readonly localDirectory: string;
      readonly type: string;
      readonly size: number;
      readonly hash: string;
      /** This device holds the current bytes in OPFS. */
      readonly local: boolean;
      /** The bytes, when the page keeps them in memory (no OPFS there). */
      readonly bytes?: Blob;
      readonly remoteUrl?: string;
      readonly token: string;
    };
