import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { deviceReadingsTopic, deviceRepliesTopic } from '@rpm/contracts';
import { DeviceRepository, type DeviceEntity } from '@rpm/persistence';
import { hashSecret, newSecret } from '@rpm/security';
import { randomBytes, randomInt } from 'node:crypto';
import { BrokerCredentials } from './broker-credentials';

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

const normalizeCode = (code: string) => code.replace(/[- ]/, '').toUpperCase();

/** Devices of a patient, their credentials, revocation, and pairing codes. Callers check access first. */
@Injectable()
export class DeviceRegistry {
  constructor(
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    private readonly broker: BrokerCredentials,
  ) {}

  async register(patientId: string, kind: string, requestedId?: string): Promise<IssuedCredential> {
    const deviceId = requestedId ?? `${kind.replaceAll('_', '-')}-${randomBytes(6).toString('hex')}`;
    const secret = newSecret();
    // With BROKER_DYNSEC=on the broker takes the credential before the row commits (the only moment the
    // plain secret exists); if it cannot, nothing is registered.
    if (!(await this.devices.register(deviceId, patientId, kind, hashSecret(secret), () => this.broker.provision(deviceId, secret))))
      throw new ConflictException(`device id ${deviceId} is already registered`);
    return credential(deviceId, secret);
  }

  async list(patientId: string): Promise<DeviceView[]> {
    return (await this.devices.ofPatient(patientId)).map(toView);
  }

  /** Takes effect at once: gateways are notified and close the device's connection; the broker's client is deleted. */
  async revoke(patientId: string, deviceId: string): Promise<DeviceView> {
    const device = await this.devices.revoke(patientId, deviceId);
    if (!device) throw new NotFoundException('device not found');
    // The devices trigger's NOTIFY reaches every API instance too; this makes the answer mean "gone from the broker".
    await this.broker.remove(deviceId);
    return toView(device);
  }

  async issuePairingCode(patientId: string, kind: string, issuedBy: string): Promise<{ code: string; expiresAt: string }> {
    const raw = Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    const expiresAt = new Date(Date.now() + PAIRING_CODE_TTL_MS);
    await this.devices.addPairingCode(hashSecret(raw), patientId, kind, issuedBy, expiresAt);
    return { code: `${raw.slice(0, 4)}-${raw.slice(4)}`, expiresAt: expiresAt.toISOString() };
  }

  /** Exchanges a valid, unused, unexpired code for a new device credential, exactly once. */
  async claimPairingCode(code: string): Promise<IssuedCredential | null> {
    const claimed = await this.devices.claimPairingCode(
      hashSecret(normalizeCode(code)),
      (kind) => {
        const secret = newSecret();
        return { deviceId: `${kind.replaceAll('_', '-')}-${randomBytes(6).toString('hex')}`, credentialHash: hashSecret(secret), secret };
      },
      // The code stays unclaimed when the broker does not take the credential, so the patient can retry.
      (device) => this.broker.provision(device.deviceId, device.secret),
    );
    return claimed && credential(claimed.deviceId, claimed.secret);
  }
}

function credential(deviceId: string, secret: string): IssuedCredential {
  return {
    deviceId,
    secret,
    mqtt: { clientId: deviceId, username: deviceId, readingsTopic: deviceReadingsTopic(deviceId), repliesTopic: deviceRepliesTopic(deviceId) },
  };
}
