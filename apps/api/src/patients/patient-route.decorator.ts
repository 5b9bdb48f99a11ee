import { applyDecorators, Injectable, NotFoundException, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { z } from 'zod';
import type { ApiRequest } from '../auth/current-user';
import { PatientAccess } from './patient-access';

const PATIENT_ACTION = 'rpm:patientAction';
const patientIdSchema = z.uuid();

/**
 * Checks, before the handler runs, that the `:patientId` of the route is a patient of the caller's care
 * teams, and audit-logs the attempt under `action` either way. A route that names a patient carries this
 * decorator instead of repeating the check in its body.
 */
@Injectable()
export class PatientAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: PatientAccess,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const action = this.reflector.get<string>(PATIENT_ACTION, context.getHandler());
    const request = context.switchToHttp().getRequest<ApiRequest & { params: Record<string, string> }>();
    const patientId = request.params.patientId;
    if (!request.user || !action) throw new Error('PatientAccessGuard needs an authenticated request and @PatientRoute');
    if (!patientIdSchema.safeParse(patientId).success) throw new NotFoundException('patient not found');
    await this.access.authorize(request.user, patientId, action, request.id);
    return true;
  }
}

export const PatientRoute = (action: string) => applyDecorators(SetMetadata(PATIENT_ACTION, action), UseGuards(PatientAccessGuard));
