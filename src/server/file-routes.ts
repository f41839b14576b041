/**
 * Every route a device's file requests take: a file's own path (`/api/stores/<storeId>/files/<fileId>/<hash>…`,
 * see files.ts) and the store's one file route (`/api/stores/<storeId>/file`, the same path after `files/` in
 * `X-File-Path`), which the kit sends its transfers to: a browser asks another origin's leave (a CORS
 * preflight) once per URL, so with a URL per file every upload, download and part cost a request more.
 */
import { fileRequestPath, parseFilePath } from './addresses.js';
import { handleFileRequest } from './files.js';
import type { FilesEnv } from './objects.js';
import { errorResponse, withHeaders } from './http.js';
import { FILE_PATH_HEADER } from '../core/wire.js';

/**
 * The answer to a file request at either route; undefined when the path is not under `/api/stores/`. A path
 * there that names no file (nor is the manifest's or the revocations', which a worker routes before this) is
 * answered 400.
 */
export async function handleFileRoutes(request: Request, env: FilesEnv, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<Response | undefined> {
  const { pathname } = new URL(request.url);
  const named = fileRequestPath(pathname, request.headers.get(FILE_PATH_HEADER));
  const filePath = parseFilePath(named);
  if (filePath === undefined) return undefined;
  if (filePath === 'invalid') return errorResponse(400, 'bad_request', 'Malformed file path');
  const response = await handleFileRequest(request, env, filePath, ctx);
  if (named === pathname) return response;
  // One URL for every file: a cache must tell them apart by the header, and a browser's cache would hold one
  // of them at a time, each download written to its disk a second time to replace the last.
  return withHeaders(response, (headers) => {
    headers.append('vary', FILE_PATH_HEADER);
    headers.set('cache-control', 'no-store');
  });
}
