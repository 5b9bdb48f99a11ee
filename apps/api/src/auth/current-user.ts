import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { UserRole } from '@rpm/persistence';

export interface AuthenticatedUser {
  id: string;
  role: UserRole;
}

export interface ApiRequest {
  id: string;
  user?: AuthenticatedUser;
  headers: Record<string, string | string[] | undefined>;
}

export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<ApiRequest>().user;
  if (!user) throw new Error('CurrentUser used on a public route');
  return user;
});

export const RequestId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => context.switchToHttp().getRequest<ApiRequest>().id,
);
