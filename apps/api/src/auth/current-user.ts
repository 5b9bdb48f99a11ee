import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { UserRole } from '@rpm/persistence';

export interface AuthenticatedUser {
  id: string;
  role: UserRole;
}

export interface ApiRequest {
  id: string;
  user?: AuthenticatedUser;
  /** The bearer token the guard accepted, for responses that outlive the check (streams). */
  sessionToken?: string;
  headers: Record<string, string | string[] | undefined>;
}

export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<ApiRequest>().user;
  if (!user) throw new Error('CurrentUser used on a public route');
  return user;
});

export const RequestId = createParamDecorator((_data: unknown, context: ExecutionContext): string => context.switchToHttp().getRequest<ApiRequest>().id);

export const SessionToken = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const token = context.switchToHttp().getRequest<ApiRequest>().sessionToken;
  if (!token) throw new Error('SessionToken used on a public route');
  return token;
});
