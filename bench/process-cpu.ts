import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times: 100 on every Linux this runs on (USER_HZ). */
const TICKS_PER_SECOND = 100;

interface ProcessInfo {
  pid: number;
  ppid: number;
  cpuSeconds: number;
  command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name sits in parentheses and may hold spaces: split what follows it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return { pid, ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND, command };
  } catch {
    return undefined; // gone between the listing and the read
  }
}

/**
 * CPU seconds (user + system) used so far by this process and each labelled group of its descendants:
 * a descendant counts for the first label whose pattern its command line matches. Reads /proc only, so it
 * is cheap enough to take around every step.
 */
export function cpuSnapshot(labels: Record<string, RegExp>, machineWide: Record<string, RegExp> = {}): Record<string, number> {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((info): info is ProcessInfo => info !== undefined);
  const children = new Map<number, ProcessInfo[]>();
  for (const info of all) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info]);
  const own = process.cpuUsage();
  const totals: Record<string, number> = { 'load generator': (own.user + own.system) / 1e6 };
  for (const label of Object.keys(labels)) totals[label] = 0;
  const queue = [...(children.get(process.pid) ?? [])];
  while (queue.length > 0) {
    const info = queue.shift()!;
    const label = Object.keys(labels).find((candidate) => labels[candidate].test(info.command));
    if (label) totals[label] += info.cpuSeconds;
    queue.push(...(children.get(info.pid) ?? []));
  }
  // Processes the bench did not start (a system service), wherever they are: every match counts.
  for (const [label, pattern] of Object.entries(machineWide))
    totals[label] = all.filter((info) => pattern.test(info.command)).reduce((sum, info) => sum + info.cpuSeconds, 0);
  return totals;
}

/** CPU seconds each group used between two snapshots, rounded to `digits` decimals (0.1 s); groups that used none are left out. */
export function cpuBetween(before: Record<string, number>, after: Record<string, number>, digits = 1): Record<string, number> {
  const used: Record<string, number> = {};
  const scale = 10 ** digits;
  for (const [label, seconds] of Object.entries(after)) {
    const delta = Math.round((seconds - (before[label] ?? 0)) * scale) / scale;
    if (delta > 0) used[label] = delta;
  }
  return used;
}

/** What the bench's children are, by command line. */
export const COMPONENTS: Record<string, RegExp> = {
  gateway: /dist\/apps\/gateway\//,
  alerting: /dist\/apps\/alerting\//,
  api: /dist\/apps\/api\//,
  influxd: /influxd/,
  'peer subscriber': /mosquitto-subscriber/,
  mosquitto: /mosquitto/,
  'aedes no-op': /aedes-noop-broker/,
  postgres: /postgres/,
};

/**
 * nats-server for the reading-log mode, counted wherever it runs: the machine's NATS is a system service
 * (not the bench's child), whose CPU also covers any other client of it during the step.
 */
export const NATS_SERVER: Record<string, RegExp> = { 'nats-server': /(^|\/)nats-server( |$)/ };

/** The platform's own processes, as npm start runs them (PostgreSQL only when the bench started it). */
export const PLATFORM_COMPONENTS = ['gateway', 'alerting', 'api', 'influxd', 'postgres'];

/** The ids of the bench's descendants whose command line matches `pattern`. */
export function descendantPids(pattern: RegExp): number[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((info): info is ProcessInfo => info !== undefined);
  const found: number[] = [];
  const queue = all.filter((info) => info.ppid === process.pid);
  while (queue.length > 0) {
    const info = queue.shift()!;
    if (pattern.test(info.command)) found.push(info.pid);
    queue.push(...all.filter((child) => child.ppid === info.pid));
  }
  return found;
}
