import type { DataSource } from 'typeorm';

/** Whether PostgreSQL answers, for readiness. */
export class DatabaseProbe {
  constructor(private readonly dataSource: DataSource) {}

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
