import { applyDecorators, ForbiddenException, Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { ApiRequest } from '../auth/current-user';

/** Administrators only: a clinician gets 403 (they are signed in, just not allowed). */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.switchToHttp().getRequest<ApiRequest>().user?.role !== 'admin') throw new ForbiddenException('administrators only');
    return true;
  }
}

export const AdminOnly = () => applyDecorators(UseGuards(AdminGuard));
