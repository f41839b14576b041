/** Small HTTP helpers shared by the worker's routes: JSON errors with a stable code, and CORS. */

import { FILE_PATH_HEADER, MANIFEST_DIGEST_HEADER, type ErrorCode } from '../core/wire.js';

export type { ErrorCode };

export const json = (body: unknown, status = 200, headers: HeadersInit = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });

export const errorResponse = (status: number, code: ErrorCode, message: string, headers: HeadersInit = {}): Response =>
  json({ error: { code, message } }, status, headers);

export interface CorsOptions {
  /** `*` or a comma-separated list of origins allowed to call the API from a browser. */
  readonly allowedOrigins: string;
}

const EXPOSED = 'ETag, Content-Length, Content-Range, Accept-Ranges, Content-Type, Retry-After';

/** Adds CORS headers for an allowed origin; the API authenticates by bearer token, never by cookie. */
export function withCors(request: Request, response: Response, { allowedOrigins }: CorsOptions): Response {
  const origin = request.headers.get('origin');
  if (origin === null) return response;
  const allowed = allowedOrigins.trim() === '*' || allowedOrigins.split(',').some((o) => o.trim() === origin);
  if (!allowed) return response;
  // A 101 WebSocket upgrade or an immutable response cannot take new headers.
  if (response.status === 101 || response.webSocket) return response;
  return withHeaders(response, (headers) => {
    headers.set('access-control-allow-origin', allowedOrigins.trim() === '*' ? '*' : origin);
    headers.set('access-control-expose-headers', EXPOSED);
    headers.append('vary', 'Origin');
  });
}

/**
 * The response with its headers edited: in place when they can be (a response this worker made), else on a
 * copy (a fetched response's headers are immutable, and refuse the first change with a TypeError).
 */
export function withHeaders(response: Response, edit: (headers: Headers) => void): Response {
  try {
    edit(response.headers);
    return response;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  const headers = new Headers(response.headers);
  edit(headers);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export function preflight(request: Request, options: CorsOptions): Response {
  const response = new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-methods': 'GET, HEAD, PUT, POST, DELETE, OPTIONS',
      'access-control-allow-headers': ['Authorization', 'Content-Type', 'Range', 'If-None-Match', 'X-Content-SHA256', FILE_PATH_HEADER, MANIFEST_DIGEST_HEADER].join(', '),
      'access-control-max-age': '86400',
    },
  });
  return withCors(request, response, options);
}

export const bearer = (request: Request): string | null => {
  const header = request.headers.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? null;
};
