// What the local backend's processes are doing, for a test that gave up waiting on it: each process's CPU by
// thread over the next two seconds and, where gdb is installed, the native stacks of workerd's busiest
// thread (a JavaScript isolate at work shows V8's frames; a wait in storage, SQLite's or kj's). The 1 GiB
// upload test met workerd busy for minutes in three CI runs and nothing said with what.
import { execFileSync } from 'node:child_process';
import { numbered, readStat, threadTicks, TICKS_PER_SECOND } from './proc-stat.mjs';

const SAMPLE_MS = 2_000;

/** The processes of process group `groupId` (`startBackend` puts wrangler and workerd in one). */
function groupMembers(groupId) {
  return numbered('/proc').flatMap((pid) => {
    const stat = readStat(`/proc/${pid}/stat`);
    return stat && stat.pgrp === groupId ? [{ pid: Number(pid), comm: stat.name }] : [];
  });
}

function nativeStack(pid, tid) {
  try {
    const out = execFileSync('gdb', ['-p', String(pid), '-batch', '-ex', 'thread apply all bt 25'], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // Only the busiest thread's stack: gdb numbers threads itself, and names the kernel's id in each header.
    const sections = out.split(/\n(?=Thread \d+ )/);
    const busiest = sections.find((section) => section.startsWith('Thread ') && section.includes(`LWP ${tid})`));
    return (busiest ?? '(its stack was not found in gdb\'s answer)').split('\n').filter((line) => /^(Thread|#)/.test(line)).join('\n');
  } catch (error) {
    return `(no native stack: ${String(error?.message ?? error).split('\n')[0]})`;
  }
}

/** A report of process group `groupId`: CPU by thread over two seconds, and workerd's busiest thread's stack. */
export async function processReport(groupId) {
  const members = groupMembers(groupId);
  const before = new Map(members.map(({ pid }) => [pid, threadTicks(pid)]));
  await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  const lines = [];
  for (const { pid, comm } of members) {
    const after = threadTicks(pid);
    const busy = [...after]
      .map(([tid, { name, ticks }]) => ({ tid, name, share: (ticks - (before.get(pid)?.get(tid)?.ticks ?? ticks)) / TICKS_PER_SECOND / (SAMPLE_MS / 1000) }))
      .sort((a, b) => b.share - a.share);
    const total = busy.reduce((sum, thread) => sum + thread.share, 0);
    lines.push(`${comm} (pid ${pid}): ${Math.round(total * 100)}% of a core; busiest threads ${busy.slice(0, 3).map((t) => `${t.name} ${t.tid} ${Math.round(t.share * 100)}%`).join(', ')}`);
    if (comm === 'workerd' && busy[0] && busy[0].share > 0.5) lines.push(nativeStack(pid, busy[0].tid).replace(/^/gm, '    '));
  }
  return lines.join('\n');
}
