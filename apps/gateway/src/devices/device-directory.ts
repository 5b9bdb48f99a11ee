import { Inject, Injectable } from '@nestjs/common';
import { DeviceEntity } from '@rpm/persistence';
import { secretMatches } from '@rpm/security';
import { DataSource, IsNull } from 'typeorm';

export interface DeviceIdentity {
  deviceId: string;
  patientId: string;
}

/** Device identities and credentials, as registered in PostgreSQL. */
@Injectable()
export class DeviceDirectory {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** The device's identity when the secret is its current credential and it is not revoked. */
  async authenticate(deviceId: string, secret: string): Promise<DeviceIdentity | null> {
    const device = await this.findActive(deviceId);
    if (!device || !secretMatches(secret, device.credentialHash)) return null;
    return { deviceId: device.id, patientId: device.patientId };
  }

  /** For external-broker mode, where the broker authenticated the device: whose readings are these? */
  async identify(deviceId: string): Promise<DeviceIdentity | null> {
    const device = await this.findActive(deviceId);
    return device ? { deviceId: device.id, patientId: device.patientId } : null;
  }

  private findActive(deviceId: string): Promise<DeviceEntity | null> {
    return this.dataSource.getRepository(DeviceEntity).findOneBy({ id: deviceId, revokedAt: IsNull() });
  }
}
