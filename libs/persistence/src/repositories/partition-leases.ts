import { Client } from 'pg';

/**
 * Leases on the partitions of a log, one live holder each, as session-level PostgreSQL advisory locks on a
 * connection of their own: a process that dies (kill -9, a lost machine) loses its connection and with it
 * every lease, without a timeout to wait for, and PostgreSQL never grants one lock to two sessions. Members
 * hold a lock of their own, so each can count the live members and take its fair share.
 *
 * Keys: (namespace * 2, member id) for members, (namespace * 2 + 1, partition) for partitions, namespace
 * being a hash of the log's name, so several logs (or tests) on one database do not meet.
 */
export class PartitionLeases {
  private client?: Client;
  private readonly membersKey: number;
  private readonly partitionsKey: number;
  private lost = false;

  constructor(
    private readonly connectionString: string,
    logName: string,
    /** Called once when the connection is lost: every lease is gone with it, so the caller must stop consuming at once. */
    private readonly onLost: (error: Error) => void,
  ) {
    const namespace = hash(logName) % 2 ** 29;
    this.membersKey = namespace * 2;
    this.partitionsKey = namespace * 2 + 1;
  }

  /** Connects and joins as a member under a random id. */
  async open(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString, keepAlive: true, application_name: 'rpm-partition-leases' });
    const lose = (error: Error) => {
      if (this.lost) return;
      this.lost = true;
      this.onLost(error);
    };
    client.on('error', lose);
    client.on('end', () => lose(new Error('lease connection closed')));
    await client.connect();
    this.client = client;
    for (;;) {
      const member = Math.floor(Math.random() * 2 ** 31);
      if (await this.tryLock(this.membersKey, member)) return;
    }
  }

  get isLost(): boolean {
    return this.lost || !this.client;
  }

  async close(): Promise<void> {
    this.lost = true;
    await this.client?.end().catch(() => undefined);
  }

  /** Live members (this one included) and the partitions any member holds, from one snapshot of pg_locks. */
  async survey(): Promise<{ members: number; held: Set<number> }> {
    const { rows } = await this.connection().query<{ classid: number; objid: number }>(
      `SELECT classid::int8::int AS classid, objid::int8::int AS objid FROM pg_locks
        WHERE locktype = 'advisory' AND objsubid = 2 AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid IN ($1::int8::oid, $2::int8::oid)`,
      [this.membersKey, this.partitionsKey],
    );
    const held = new Set(rows.filter((row) => row.classid === this.partitionsKey).map((row) => row.objid));
    return { members: rows.filter((row) => row.classid === this.membersKey).length, held };
  }

  tryAcquire(partition: number): Promise<boolean> {
    return this.tryLock(this.partitionsKey, partition);
  }

  async release(partition: number): Promise<void> {
    await this.connection().query('SELECT pg_advisory_unlock($1::int, $2::int)', [this.partitionsKey, partition]);
  }

  private async tryLock(key: number, id: number): Promise<boolean> {
    const { rows } = await this.connection().query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [key, id]);
    return rows[0].ok;
  }

  private connection(): Client {
    if (!this.client || this.lost) throw new Error('lease connection lost');
    return this.client;
  }
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 0x01000193);
  return value >>> 0;
}
