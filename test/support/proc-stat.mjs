// CPU time by process and thread from Linux's /proc: for the bench's CPU meter and for the tests' report on a
// local backend that stopped answering. Elsewhere (no /proc) every reading is empty.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's clock ticks per second (USER_HZ), in which /proc gives CPU times. */
export const TICKS_PER_SECOND = 100;

/** The numbered entries of a /proc directory (processes or threads); none where it cannot be read. */
export function numbered(dir) {
  try {
    return readdirSync(dir).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}

/**
 * A /proc stat line's command name (in parentheses, it may hold spaces), process group and CPU ticks (user
 * and system); undefined once the process or thread is gone.
 */
export function readStat(file) {
  try {
    const text = readFileSync(file, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { name: text.slice(text.indexOf('(') + 1, close), pgrp: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/**
 * Each thread of process `pid` with its name, CPU ticks so far and the seconds it has waited, ready to run,
 * for a core (from schedstat; 0 where the kernel keeps none), by thread id.
 */
export function threadTicks(pid) {
  const ticks = new Map();
  for (const tid of numbered(`/proc/${pid}/task`)) {
    const stat = readStat(`/proc/${pid}/task/${tid}/stat`);
    if (stat) ticks.set(tid, { name: stat.name, ticks: stat.ticks, waited: readWaited(`/proc/${pid}/task/${tid}/schedstat`) });
  }
  return ticks;
}

/** schedstat: time on a core, time waiting for one (both in ns), time slices. */
function readWaited(file) {
  try {
    return Number(readFileSync(file, 'utf8').split(' ')[1]) / 1e9 || 0;
  } catch {
    return 0;
  }
}
