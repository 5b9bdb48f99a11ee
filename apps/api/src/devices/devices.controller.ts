import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  deviceSchema,
  devicesResponseSchema,
  issuedCredentialSchema,
  pairingCodeRequestSchema,
  pairingCodeResponseSchema,
  registerDeviceRequestSchema,
  type PairingCodeRequest,
  type RegisterDeviceRequest,
} from '@rpm/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';
import { DeviceRegistry, type DeviceView, type IssuedCredential } from './device-registry';
import { pairingQr, pairingQrApiAddress, type PairingQr } from './pairing-qr';
import { RespondsWith } from '../http/responds-with.decorator';

const patientIdSchema = z.uuid();
const deviceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** A clinician of the patient's care team registers, lists and revokes the patient's devices. */
@Controller('patients/:patientId')
export class DevicesController {
  constructor(private readonly registry: DeviceRegistry) {}

  @Post('devices')
  @PatientRoute('devices.register')
  @RespondsWith(201, issuedCredentialSchema)
  async register(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
    @Body({ schema: registerDeviceRequestSchema }) body: RegisterDeviceRequest,
  ): Promise<IssuedCredential> {
    return this.registry.register(patientId, body.kind, body.deviceId);
  }

  @Get('devices')
  @PatientRoute('devices.list')
  @RespondsWith(200, devicesResponseSchema)
  async list(@Param('patientId', { schema: patientIdSchema }) patientId: string): Promise<{ devices: DeviceView[] }> {
    return { devices: await this.registry.list(patientId) };
  }

  @Post('devices/:deviceId/revoke')
  @HttpCode(200)
  @PatientRoute('devices.revoke')
  @RespondsWith(200, deviceSchema)
  async revoke(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
    @Param('deviceId', { schema: deviceIdSchema }) deviceId: string,
  ): Promise<DeviceView> {
    return this.registry.revoke(patientId, deviceId);
  }

  /**
   * A one-time code, valid 24 h, for the patient's hub or app to claim a device credential (see POST /pairing/claim),
   * with the QR code of the discharge sheet (docs/device-protocol.md, "Pairing"). The QR code names the address
   * the clinician reached the API at (behind a proxy in TRUST_PROXY: the forwarded one), where the hub claims it.
   */
  @Post('pairing-codes')
  @PatientRoute('devices.pairing_code')
  @RespondsWith(201, pairingCodeResponseSchema)
  async pairingCode(
    @Param('patientId', { schema: patientIdSchema }) patientId: string,
    @Body({ schema: pairingCodeRequestSchema }) body: PairingCodeRequest,
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
  ): Promise<{ code: string; expiresAt: string; qr: PairingQr }> {
    const api = pairingQrApiAddress(request.protocol, request.host);
    if (!api) throw new BadRequestException('the Host header is not an address a hub could claim a pairing code at');
    const issued = await this.registry.issuePairingCode(patientId, body.kind, user.id);
    return { ...issued, qr: await pairingQr(issued.code, api) };
  }
}
