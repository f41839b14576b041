/**
 * The deployment's configured limits, parsed strictly. A value that is not a whole number stops the worker
 * with an error that names it, where a lenient parse failed open: a `MAX_FILE_SIZE` of "1MB" read as NaN
 * let every size pass.
 */
export interface LimitsEnv {
  readonly MAX_FILE_SIZE?: string;
  readonly DELETE_GRACE_SECONDS?: string;
  readonly UNREFERENCED_GRACE_SECONDS?: string;
  readonly UPLOAD_LIFETIME_SECONDS?: string;
  readonly TOKEN_MAX_LIFETIME_SECONDS?: string;
  readonly STORE_MAX_BYTES?: string;
  readonly STORE_MAX_UPLOADS?: string;
}

export interface Limits {
  /** Largest accepted file, in bytes. */
  readonly maxFileSize: number;
  /** How long deleted bytes stay restorable. */
  readonly deleteGraceSeconds: number;
  /** How long uploaded bytes wait for a record to name them. */
  readonly unreferencedGraceSeconds: number;
  /** How long a multipart upload may stay neither completed nor aborted. */
  readonly uploadLifetimeSeconds: number;
  /** The longest a token may be valid, from its issue to its expiry. */
  readonly tokenMaxLifetimeSeconds: number;
  /** The bytes one store may hold, uploads in progress counted at their declared size; undefined for no bound. */
  readonly storeMaxBytes: number | undefined;
  /** Multipart uploads one store may have begun and not yet completed or aborted. */
  readonly storeMaxUploads: number;
}

/** A configuration the worker cannot run with: every request is answered with this error until it is mended. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const DAY = 24 * 3600;

const DEFAULTS: Limits = {
  maxFileSize: 5 * 1024 * 1024 * 1024,
  deleteGraceSeconds: DAY,
  unreferencedGraceSeconds: 7 * DAY,
  uploadLifetimeSeconds: 7 * DAY,
  tokenMaxLifetimeSeconds: 7 * DAY,
  storeMaxBytes: undefined,
  // A device sends one multipart upload at a time, and a few single ones: room for many devices at once.
  storeMaxUploads: 100,
};

function wholeNumber<Fallback extends number | undefined>(env: LimitsEnv, name: keyof LimitsEnv, unit: string, fallback: Fallback, least = 0): number | Fallback {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = /^\s*\d{1,16}\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < least) {
    const otherwise = fallback === undefined ? 'for no bound' : `for ${fallback}`;
    throw new ConfigError(`${name} is ${JSON.stringify(value)}: set it to a whole number of ${unit} (at least ${least}), or leave it out ${otherwise}`);
  }
  return parsed;
}

const parsed = new WeakMap<LimitsEnv, Limits>();

/** The limits of this deployment; throws ConfigError for a value that is not a whole number. */
export function limitsOf(env: LimitsEnv): Limits {
  const known = parsed.get(env);
  if (known !== undefined) return known;
  const limits: Limits = {
    maxFileSize: wholeNumber(env, 'MAX_FILE_SIZE', 'bytes', DEFAULTS.maxFileSize, 1),
    deleteGraceSeconds: wholeNumber(env, 'DELETE_GRACE_SECONDS', 'seconds', DEFAULTS.deleteGraceSeconds),
    unreferencedGraceSeconds: wholeNumber(env, 'UNREFERENCED_GRACE_SECONDS', 'seconds', DEFAULTS.unreferencedGraceSeconds),
    uploadLifetimeSeconds: wholeNumber(env, 'UPLOAD_LIFETIME_SECONDS', 'seconds', DEFAULTS.uploadLifetimeSeconds),
    tokenMaxLifetimeSeconds: wholeNumber(env, 'TOKEN_MAX_LIFETIME_SECONDS', 'seconds', DEFAULTS.tokenMaxLifetimeSeconds, 60),
    storeMaxBytes: wholeNumber(env, 'STORE_MAX_BYTES', 'bytes', DEFAULTS.storeMaxBytes, 1),
    storeMaxUploads: wholeNumber(env, 'STORE_MAX_UPLOADS', 'uploads', DEFAULTS.storeMaxUploads, 1),
  };
  parsed.set(env, limits);
  return limits;
}
