/** Sizes written in attributes (`max-size`, `cache-budget`). */

const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4 };

/** `10MB` → 10,000,000; `2GiB` → 2,147,483,648; `''` or nonsense → undefined (no limit). */
export function parseSize(value: string): number | undefined {
  const match = value.trim().toUpperCase().match(/^(\d+(?:\.\d+)?)\s*([KMGT]I?B|B)?$/);
  if (!match) return undefined;
  const factor = UNITS[match[2] ?? ''];
  return factor === undefined ? undefined : Math.floor(Number(match[1]) * factor);
}
