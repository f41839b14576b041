/**
 * `GET /api/stores/<storeId>/manifest` (read scope): the store's records in short, folded from the sync
 * Durable Object's own event log (src/core/sync/manifest.ts). A device compares it with its records to know
 * the backend holds them, which LiveStore's own status does not tell. With the digest of what the device
 * expects (in `X-Manifest-Digest`, or `?digest=<hex>` as earlier kits sent it), an unchanged manifest is
 * answered without its rows.
 */
import { foldEvent, manifestDigest, manifestRows, type ManifestEntry, type ManifestResponse } from '../core/sync/manifest.js';
import { bearer, errorResponse, json } from './http.js';
import { checkAccess, type AccessEnv } from './access.js';
import { ID_PATTERN, MANIFEST_DIGEST_HEADER } from '../core/wire.js';

const MANIFEST_PATH = /^\/api\/stores\/([^/]+)\/manifest$/;

/** The store a manifest request names, or undefined when the path is not a manifest's. */
export const manifestStoreOf = (pathname: string): string | undefined => {
  const storeId = MANIFEST_PATH.exec(pathname)?.[1];
  return storeId !== undefined && ID_PATTERN.test(storeId) ? storeId : undefined;
};

/**
 * The manifest of one Durable Object's event log, kept in memory and brought up to date with the events
 * stored since the last request (the log is append-only).
 */
export class ManifestFolder {
  readonly #manifest = new Map<string, ManifestEntry>();
  #head = 0;
  #table: string | undefined;

  constructor(private readonly sql: SqlStorage) {}

  async current(): Promise<{ head: number; digest: string; manifest: ReadonlyMap<string, ManifestEntry> }> {
    // LiveStore names its log table after its format version and the store: there is one per Durable Object.
    this.#table ??= this.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'eventlog_%'`).toArray()[0]?.name;
    if (this.#table !== undefined) {
      for (const row of this.sql.exec<{ seqNum: number; name: string; args: string | null }>(
        `SELECT seqNum, name, args FROM "${this.#table}" WHERE seqNum > ? ORDER BY seqNum`,
        this.#head,
      )) {
        let args: unknown;
        try {
          args = row.args === null ? undefined : JSON.parse(row.args);
        } catch {
          args = undefined;
        }
        foldEvent(this.#manifest, row.name, args);
        this.#head = row.seqNum;
      }
    }
    return { head: this.#head, digest: await manifestDigest(this.#manifest), manifest: this.#manifest };
  }
}

export interface ManifestEnv extends AccessEnv {
  readonly SYNC_BACKEND_DO: DurableObjectNamespace;
}

interface ManifestStub {
  manifest(): Promise<{ head: number; digest: string; rows: ReturnType<typeof manifestRows> }>;
}

export async function handleManifest(request: Request, env: ManifestEnv, storeId: string): Promise<Response> {
  if (request.method !== 'GET') return errorResponse(405, 'method_not_allowed', `${request.method} is not allowed here`, { allow: 'GET' });
  const auth = await checkAccess(env, bearer(request), storeId, 'read');
  if (!auth.ok) return errorResponse(auth.status, auth.code, auth.message);
  // The same Durable Object LiveStore's sync request reaches: named by the store.
  const stub = env.SYNC_BACKEND_DO.get(env.SYNC_BACKEND_DO.idFromName(storeId)) as unknown as ManifestStub;
  const { head, digest, rows } = await stub.manifest();
  const expected = request.headers.get(MANIFEST_DIGEST_HEADER) ?? new URL(request.url).searchParams.get('digest');
  const body: ManifestResponse = expected === digest ? { head, digest } : { head, digest, files: rows };
  return json(body, 200, { vary: MANIFEST_DIGEST_HEADER });
}
