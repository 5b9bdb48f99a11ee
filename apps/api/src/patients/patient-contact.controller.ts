import { Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Put } from '@nestjs/common';
import { CLOCK, type Clock } from '@rpm/clinical';
import {
  consentsResponseSchema,
  patientContactResponseSchema,
  patientContactSchema,
  recordConsentRequestSchema,
  withdrawConsentRequestSchema,
  type PatientContact,
  type RecordConsentRequest,
  type WithdrawConsentRequest,
} from '@rpm/contracts';
import { ConsentError, PatientContactRepository } from '@rpm/persistence';
import { z } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { RespondsWith } from '../http/responds-with.decorator';
import { PatientRoute } from './patient-route.decorator';

const uuid = z.uuid();

function asHttp(error: unknown): never {
  if (error instanceof ConsentError) {
    switch (error.code) {
      case 'already_given':
        throw new ConflictException(error.message);
      case 'not_given':
        throw new NotFoundException(error.message);
    }
  }
  throw error;
}

/**
 * A patient's contact details, preferred channels in order, language and quiet hours (local to the
 * patient's time zone), and consents by scope with their history. Withdrawing remote_monitoring stops the
 * delivery of the patient's alerts; withdrawing contact_channels stops reminders to the patient.
 */
@Controller('patients/:patientId')
export class PatientContactController {
  constructor(
    @Inject(PatientContactRepository) private readonly contacts: PatientContactRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('contact')
  @PatientRoute('patient.contact.get')
  @RespondsWith(200, patientContactResponseSchema)
  async contact(@Param('patientId', { schema: uuid }) patientId: string) {
    const contact = await this.contacts.contact(patientId);
    return { ...contact, updatedAt: contact.updatedAt ? new Date(contact.updatedAt).toISOString() : null };
  }

  @Put('contact')
  @PatientRoute('patient.contact.update')
  @RespondsWith(200, patientContactResponseSchema)
  async saveContact(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: patientContactSchema }) body: PatientContact,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    await this.contacts.saveContact(patientId, body, user.id, this.clock.now());
    return this.contact(patientId);
  }

  @Get('consents')
  @PatientRoute('patient.consents.get')
  @RespondsWith(200, consentsResponseSchema)
  async consents(@Param('patientId', { schema: uuid }) patientId: string) {
    const history = await this.contacts.consents(patientId);
    return {
      active: await this.contacts.activeScopes(patientId),
      history: history.map((row) => ({
        ...row,
        givenAt: new Date(row.givenAt).toISOString(),
        withdrawnAt: row.withdrawnAt ? new Date(row.withdrawnAt).toISOString() : null,
      })),
    };
  }

  @Post('consents')
  @PatientRoute('patient.consents.record')
  @RespondsWith(201, consentsResponseSchema)
  async give(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: recordConsentRequestSchema }) body: RecordConsentRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    await this.contacts.giveConsent(patientId, body.scope, user.id, this.clock.now(), body.note).catch(asHttp);
    return this.consents(patientId);
  }

  @Post('consents/withdraw')
  @HttpCode(200)
  @PatientRoute('patient.consents.withdraw')
  @RespondsWith(200, consentsResponseSchema)
  async withdraw(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Body({ schema: withdrawConsentRequestSchema }) body: WithdrawConsentRequest,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    await this.contacts.withdrawConsent(patientId, body.scope, user.id, this.clock.now(), body.note).catch(asHttp);
    return this.consents(patientId);
  }
}
