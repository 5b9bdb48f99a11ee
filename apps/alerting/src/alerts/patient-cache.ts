/**
 * Per-patient values kept from one batch to the next (the patient's rules and time zone, their live episodes),
 * so a warm patient's reading costs no PostgreSQL round trip. It is only as good as its invalidation: entries
 * are served while `active()` says the LISTEN that reports changes is up (CacheInvalidation), dropped one by one
 * as PostgreSQL notifies a change of that patient, and all at once when the LISTEN (re)connects, since what
 * changed while it was down was not heard. A load that overlaps a change of one of its patients is used once
 * and not kept. At most `max` patients, least recently used out.
 */
export class PatientCache<V> {
  /** Insertion order is recency. */
  private readonly entries = new Map<string, V>();
  /** Counts every change heard; the change number of each patient changed while a load was in flight. */
  private changes = 0;
  private readonly changedAt = new Map<string, number>();
  private loading = 0;
  private clearedAt = -1;
  active: () => boolean = () => false;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The values of `ids`: the cached ones, and the others from `load` (one call for all of them). `absent` is what
   * a patient `load` does not return stands for (cached too: an unknown patient is asked about once).
   */
  async getMany(ids: readonly string[], load: (missing: string[]) => Promise<Map<string, V>>, absent: () => V): Promise<Map<string, V>> {
    const active = this.active();
    if (!active) this.entries.clear();
    const found = new Map<string, V>();
    const missing: string[] = [];
    for (const id of ids) {
      if (active && this.entries.has(id)) {
        const value = this.entries.get(id)!;
        this.entries.delete(id);
        this.entries.set(id, value);
        found.set(id, value);
      } else missing.push(id);
    }
    if (missing.length === 0) return found;
    const startedAt = this.changes;
    this.loading++;
    try {
      const loaded = await load(missing);
      const keep = active && this.active() && startedAt >= this.clearedAt;
      for (const id of missing) {
        const value = loaded.has(id) ? loaded.get(id)! : absent();
        found.set(id, value);
        if (keep && (this.changedAt.get(id) ?? -1) < startedAt) this.entries.set(id, value);
      }
      while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
      return found;
    } finally {
      if (--this.loading === 0) this.changedAt.clear();
    }
  }

  /** PostgreSQL reported a change of this patient. */
  forget(id: string): void {
    this.changes++;
    this.entries.delete(id);
    if (this.loading > 0) this.changedAt.set(id, this.changes);
  }

  /** Changes may have been missed (the LISTEN reconnected): nothing cached can be trusted. */
  clear(): void {
    this.changes++;
    this.entries.clear();
    // Every load in flight overlaps this: none of them is kept.
    this.clearedAt = this.changes;
  }
}
