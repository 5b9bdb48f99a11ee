import { Body, Controller, NotFoundException, Post, UseGuards } from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { issuedCredentialSchema, pairingClaimRequestSchema, type PairingClaimRequest } from '@rpm/contracts';
import { Public } from '../auth/public.decorator';
import { DeviceRegistry, type IssuedCredential } from './device-registry';
import { RespondsWith } from '../http/responds-with.decorator';

/**
 * The patient's side of pairing: no account, only the one-time code from the clinic. Rate-limited per
 * address, since a code is short enough to type.
 */
@Controller('pairing')
export class PairingController {
  constructor(private readonly registry: DeviceRegistry) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Throttle({ default: { limit: 10, ttl: 60_000 } })
  @Post('claim')
  @RespondsWith(201, issuedCredentialSchema)
  async claim(@Body({ schema: pairingClaimRequestSchema }) body: PairingClaimRequest): Promise<IssuedCredential> {
    const credential = await this.registry.claimPairingCode(body.code);
    if (!credential) throw new NotFoundException('unknown, used or expired pairing code');
    return credential;
  }
}
