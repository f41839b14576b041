/**
 * The backend's pieces, for a user who mounts them in a worker of their own next to their routes:
 *
 *   export { SyncBackendDO } from 'livestore-file-sync-elements/server';
 *   // in fetch(): (await handleSync(request, env, ctx)) ?? the manifest (manifestStoreOf + handleManifest,
 *   // which devices ask to check that the backend holds their records) ?? revocations (revocationStoreOf +
 *   // handleRevocation) ?? files (handleFileRoutes: a file's own path and the store's one file route)
 */
export { default as worker, type Env } from './worker.js';
export { SyncBackendDO, handleSync, type SyncEnv } from './sync.js';
export { handleManifest, manifestStoreOf, type ManifestEnv } from './manifest.js';
export { checkAccess, revokeTokens, handleRevocation, revocationStoreOf, type AccessEnv } from './access.js';
export { FileJanitorDO, janitorFor, type JanitorEnv } from './janitor.js';
export { handleFileRequest } from './files.js';
export { handleFileRoutes } from './file-routes.js';
export { parseFilePath, objectKey, type FileAddress } from './addresses.js';
export type { FilesEnv } from './objects.js';
export { mintToken, checkToken, type AccessClaims, type MintOptions, type Scope, type TokenCheck } from './tokens.js';
export { withCors, preflight, errorResponse, json, type CorsOptions, type ErrorCode } from './http.js';
