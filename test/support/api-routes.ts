import { HttpStatus, RequestMethod, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { API_CONTROLLERS } from '../../apps/api/src/api.controllers';

export interface ApiRoute {
  method: string;
  path: string;
}

export interface ApiRouteWithStatus extends ApiRoute {
  /** The status the route answers with on success: its @HttpCode, else Nest's default (201 for POST, 200 otherwise). */
  successStatus: number;
}

/** Every route of the API, read from the controllers' own metadata, so a new route is covered unasked. */
export function apiRoutes(): ApiRouteWithStatus[] {
  const controllers: Type[] = API_CONTROLLERS;
  return controllers.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    return Object.getOwnPropertyNames(controller.prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => controller.prototype[name])
      .filter((handler) => typeof handler === 'function' && Reflect.getMetadata(PATH_METADATA, handler) !== undefined)
      .map((handler) => {
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
        return {
          method: RequestMethod[method],
          path: `/${[base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((part) => part && part !== '/').join('/')}`,
          successStatus:
            (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK),
        };
      });
  });
}
