import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  pairingCodeRequestSchema,
  registerDeviceRequestSchema,
  type PairingCodeRequest,
  type RegisterDeviceRequest,
} from '@rpm/contracts';
import { z } from 'zod';
import { CurrentUser, RequestId, type AuthenticatedUser } from '../auth/current-user';
import { PatientAccess } from '../patients/patient-access';
import { DeviceRegistry, type DeviceView, type IssuedCredential } from './device-registry';

const patientIdSchema = z.uuid();
const deviceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** A clinician of the patient's care team registers, lists and revokes the patient's devices. */
@Controller('patients/:patientId')
export class DevicesController {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly access: PatientAccess,
  ) {}

  @Post('devices')
  async register(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
    @Body({ schema: registerDeviceRequestSchema }) body: RegisterDeviceRequest,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ): Promise<IssuedCredential> {
    await this.access.authorize(user, patientId, 'devices.register', requestId);
    return this.registry.register(patientId, body.kind, body.deviceId);
  }

  @Get('devices')
  async list(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ): Promise<{ devices: DeviceView[] }> {
    await this.access.authorize(user, patientId, 'devices.list', requestId);
    return { devices: await this.registry.list(patientId) };
  }

  @Post('devices/:deviceId/revoke')
  @HttpCode(200)
  async revoke(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
    @Param('deviceId', { schema: deviceIdSchema }) deviceId: string,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ): Promise<DeviceView> {
    await this.access.authorize(user, patientId, 'devices.revoke', requestId);
    return this.registry.revoke(patientId, deviceId);
  }

  /** A one-time code, valid 24 h, for the patient's hub or app to claim a device credential (see POST /pairing/claim). */
  @Post('pairing-codes')
  async pairingCode(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
    @Body({ schema: pairingCodeRequestSchema }) body: PairingCodeRequest,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ): Promise<{ code: string; expiresAt: string }> {
    await this.access.authorize(user, patientId, 'devices.pairing_code', requestId);
    return this.registry.issuePairingCode(patientId, body.kind, user.id);
  }
}
