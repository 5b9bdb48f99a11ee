import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'rpm:isPublic';
/** Marks a route that needs no signed-in user (login, health). Every other route does. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
