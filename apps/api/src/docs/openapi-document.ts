import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { z } from 'zod';
import { IS_PUBLIC } from '../auth/public.decorator';

/** Nest's RouteParamtypes for the arguments that become OpenAPI parameters and bodies. */
const BODY = 3;
const QUERY = 4;
const PARAM = 5;

interface RouteArgument {
  index: number;
  data?: string;
  schema?: z.ZodType;
}

const jsonSchema = (schema: z.ZodType | undefined): Record<string, unknown> =>
  schema ? (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>) : { type: 'string' };

/**
 * The OpenAPI 3.1 document of the API, read from the controllers' own route metadata and the zod schemas
 * their handlers validate with, so the document cannot describe a route or a body the code does not have.
 */
export function buildOpenApiDocument(controllers: Type[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name];
      if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const route = `/${[base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((part) => part && part !== '/').join('/')}`;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod].toLowerCase();
      const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, RouteArgument>);
      const parameters: Record<string, unknown>[] = [];
      let requestBody: Record<string, unknown> | undefined;
      for (const [key, argument] of args) {
        const type = Number(key.split(':')[0]);
        if (type === PARAM && argument.data) parameters.push({ name: argument.data, in: 'path', required: true, schema: jsonSchema(argument.schema) });
        if (type === QUERY && argument.schema) {
          const query = jsonSchema(argument.schema) as { properties?: Record<string, unknown>; required?: string[] };
          for (const [property, schema] of Object.entries(query.properties ?? {})) {
            parameters.push({ name: property, in: 'query', required: query.required?.includes(property) ?? false, schema });
          }
        }
        if (type === BODY) requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(argument.schema) } } };
      }
      const isPublic = Reflect.getMetadata(IS_PUBLIC, handler) === true;
      paths[route.replace(/:(\w+)/g, '{$1}')] ??= {};
      paths[route.replace(/:(\w+)/g, '{$1}')][method] = {
        operationId: `${controller.name.replace(/Controller$/, '')}.${name}`,
        parameters,
        ...(requestBody ? { requestBody } : {}),
        ...(isPublic ? { security: [] } : {}),
        responses: {
          default: {
            description: 'Errors share one shape: {statusCode, message, error}',
            content: { 'application/json': { schema: { type: 'object', properties: { statusCode: { type: 'integer' }, message: {}, error: { type: 'string' } } } } },
          },
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'RPM platform API', version: '1' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'POST /auth/login' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
