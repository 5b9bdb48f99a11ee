import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { deviceReadingsTopic, deviceRepliesTopic } from '@rpm/contracts';
import { DeviceEntity } from '@rpm/persistence';
import { hashSecret, newSecret } from '@rpm/security';
import { randomBytes, randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';

export interface IssuedCredential {
  deviceId: string;
  /** Shown once: only its hash is stored. */
  secret: string;
  mqtt: { clientId: string; username: string; readingsTopic: string; repliesTopic: string };
}

export interface DeviceView {
  deviceId: string;
  kind: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Unambiguous characters for codes a person types from a discharge sheet (no 0/O, 1/I/L). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const PAIRING_CODE_TTL_MS = 24 * 3600 * 1000;

const toView = (device: DeviceEntity): DeviceView => ({
  deviceId: device.id,
  kind: device.kind,
  createdAt: device.createdAt.toISOString(),
  revokedAt: device.revokedAt?.toISOString() ?? null,
});

const normalizeCode = (code: string) => code.replace('-', '').toUpperCase();

/** Devices of a patient, their credentials, revocation, and pairing codes. Callers check access first. */
@Injectable()
export class DeviceRegistry {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async register(patientId: string, kind: string, requestedId?: string): Promise<IssuedCredential> {
    const deviceId = requestedId ?? `${kind.replaceAll('_', '-')}-${randomBytes(6).toString('hex')}`;
    const secret = newSecret();
    const inserted = await this.dataSource.query(
      `INSERT INTO devices (id, patient_id, kind, credential_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [deviceId, patientId, kind, hashSecret(secret)],
    );
    if (inserted.length === 0) throw new ConflictException(`device id ${deviceId} is already registered`);
    return credential(deviceId, secret);
  }

  async list(patientId: string): Promise<DeviceView[]> {
    const devices = await this.dataSource.getRepository(DeviceEntity).find({ where: { patientId }, order: { createdAt: 'ASC' } });
    return devices.map(toView);
  }

  /** Takes effect at once: gateways are notified and close the device's connection. */
  async revoke(patientId: string, deviceId: string): Promise<DeviceView> {
    await this.dataSource.query(
      'UPDATE devices SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND patient_id = $2',
      [deviceId, patientId],
    );
    const device = await this.dataSource.getRepository(DeviceEntity).findOneBy({ id: deviceId, patientId });
    if (!device) throw new NotFoundException('device not found');
    return toView(device);
  }

  async issuePairingCode(patientId: string, kind: string, issuedBy: string): Promise<{ code: string; expiresAt: string }> {
    const raw = Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    const expiresAt = new Date(Date.now() + PAIRING_CODE_TTL_MS);
    await this.dataSource.query(
      'INSERT INTO pairing_codes (code_hash, patient_id, kind, created_by, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [hashSecret(raw), patientId, kind, issuedBy, expiresAt],
    );
    return { code: `${raw.slice(0, 4)}-${raw.slice(4)}`, expiresAt: expiresAt.toISOString() };
  }

  /** Exchanges a valid, unused, unexpired code for a new device credential, exactly once. */
  async claimPairingCode(code: string): Promise<IssuedCredential | null> {
    return this.dataSource.transaction(async (manager) => {
      const claimed: { patient_id: string; kind: string }[] = await manager.query(
        // As a CTE the statement is a SELECT, so TypeORM returns the rows rather than [rows, count].
        `WITH claimed AS (
           UPDATE pairing_codes SET claimed_at = now()
            WHERE code_hash = $1 AND claimed_at IS NULL AND expires_at > now()
            RETURNING patient_id, kind)
         SELECT patient_id, kind FROM claimed`,
        [hashSecret(normalizeCode(code))],
      );
      if (claimed.length === 0) return null;
      const { patient_id: patientId, kind } = claimed[0];
      const deviceId = `${kind.replaceAll('_', '-')}-${randomBytes(6).toString('hex')}`;
      const secret = newSecret();
      await manager.query('INSERT INTO devices (id, patient_id, kind, credential_hash) VALUES ($1, $2, $3, $4)', [
        deviceId,
        patientId,
        kind,
        hashSecret(secret),
      ]);
      await manager.query('UPDATE pairing_codes SET device_id = $1 WHERE code_hash = $2', [deviceId, hashSecret(normalizeCode(code))]);
      return credential(deviceId, secret);
    });
  }
}

function credential(deviceId: string, secret: string): IssuedCredential {
  return {
    deviceId,
    secret,
    mqtt: { clientId: deviceId, username: deviceId, readingsTopic: deviceReadingsTopic(deviceId), repliesTopic: deviceRepliesTopic(deviceId) },
  };
}
