import type { DataSource } from 'typeorm';
import { DeviceEntity } from '../entities';

/** Devices, their credential hashes and revocation, and the one-time pairing codes that issue them. */
export class DeviceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Registers a device; false when the id is taken. `beforeCommit` runs inside the transaction once the
   * row is in (the API hands the new credential to the broker there): when it throws, nothing is stored.
   */
  async register(deviceId: string, patientId: string, kind: string, credentialHash: string, beforeCommit?: () => Promise<void>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO devices (id, patient_id, kind, credential_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [deviceId, patientId, kind, credentialHash],
      );
      if (inserted.length === 0) return false;
      await beforeCommit?.();
      return true;
    });
  }

  /** Ids of devices not revoked, in id order after `afterId`, at most `limit`: a page for reconciliation. */
  async activeIdsPage(afterId: string, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query('SELECT id FROM devices WHERE revoked_at IS NULL AND id > $1 ORDER BY id LIMIT $2', [
      afterId,
      limit,
    ]);
    return rows.map((row) => row.id);
  }

  /** Which of these ids are devices at all (revoked or not), and which of them are active. */
  async statusOf(ids: string[]): Promise<{ known: Set<string>; active: Set<string> }> {
    const rows: { id: string; revoked: boolean }[] = await this.dataSource.query(
      'SELECT id, revoked_at IS NOT NULL AS revoked FROM devices WHERE id = ANY($1::text[])',
      [ids],
    );
    return { known: new Set(rows.map((row) => row.id)), active: new Set(rows.filter((row) => !row.revoked).map((row) => row.id)) };
  }

  ofPatient(patientId: string): Promise<DeviceEntity[]> {
    return this.dataSource.getRepository(DeviceEntity).find({ where: { patientId }, order: { createdAt: 'ASC' } });
  }

  /** Revokes at once (a trigger notifies the gateways); null when the patient has no such device. */
  async revoke(patientId: string, deviceId: string): Promise<DeviceEntity | null> {
    await this.dataSource.query('UPDATE devices SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND patient_id = $2', [deviceId, patientId]);
    return this.dataSource.getRepository(DeviceEntity).findOneBy({ id: deviceId, patientId });
  }

  /** Patients with at least one device not revoked: the ones scheduled rules watch. */
  async patientsWithActiveDevices(): Promise<string[]> {
    const rows: { patient_id: string }[] = await this.dataSource.query('SELECT DISTINCT patient_id FROM devices WHERE revoked_at IS NULL');
    return rows.map((row) => row.patient_id);
  }

  async addPairingCode(codeHash: string, patientId: string, kind: string, createdBy: string, expiresAt: Date): Promise<void> {
    await this.dataSource.query('INSERT INTO pairing_codes (code_hash, patient_id, kind, created_by, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      codeHash,
      patientId,
      kind,
      createdBy,
      expiresAt,
    ]);
  }

  /**
   * Claims a valid, unused, unexpired code exactly once and registers the device it pays for, in one
   * transaction; `newDevice` names the device and its credential hash. Null when the code does not claim.
   * `beforeCommit` runs last inside the transaction: when it throws, the code stays unclaimed.
   */
  claimPairingCode<T extends { deviceId: string; credentialHash: string }>(
    codeHash: string,
    newDevice: (kind: string) => T,
    beforeCommit?: (device: T) => Promise<void>,
  ): Promise<T | null> {
    return this.dataSource.transaction(async (manager) => {
      const claimed: { patient_id: string; kind: string }[] = await manager.query(
        // As a CTE the statement is a SELECT, so TypeORM returns the rows rather than [rows, count].
        `WITH claimed AS (
           UPDATE pairing_codes SET claimed_at = now()
            WHERE code_hash = $1 AND claimed_at IS NULL AND expires_at > now()
            RETURNING patient_id, kind)
         SELECT patient_id, kind FROM claimed`,
        [codeHash],
      );
      if (claimed.length === 0) return null;
      const { patient_id: patientId, kind } = claimed[0];
      const device = newDevice(kind);
      await manager.query('INSERT INTO devices (id, patient_id, kind, credential_hash) VALUES ($1, $2, $3, $4)', [
        device.deviceId,
        patientId,
        kind,
        device.credentialHash,
      ]);
      await manager.query('UPDATE pairing_codes SET device_id = $1 WHERE code_hash = $2', [device.deviceId, codeHash]);
      await beforeCommit?.(device);
      return device;
    });
  }
}
