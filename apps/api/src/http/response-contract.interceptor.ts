import { StandardSchemaSerializerInterceptor } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

type Validate = Parameters<StandardSchemaSerializerInterceptor['transformToPlain']>;
type IssuePath = ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;

const where = (path: IssuePath): string => (path ?? []).map((key) => String(typeof key === 'object' ? key.key : key)).join('.') || '(body)';

/** A handler answered with a body its contract does not allow: a server bug, answered with a 500. */
export class ResponseContractError extends Error {
  override readonly name = 'ResponseContractError';
}

/**
 * Nest's StandardSchemaSerializerInterceptor with the route's @RespondsWith contract: every JSON body goes
 * out as the schema's output. The contracts are zod objects, which strip keys they do not name (a column
 * added to a query never leaks, a password hash included), and refuse a body that lacks or mistypes a field
 * they do name; the refusal names the fields, so the log of the 500 (ApiExceptionFilter) says what broke.
 */
export class ResponseContractInterceptor extends StandardSchemaSerializerInterceptor {
  constructor(reflector: Reflector) {
    super(reflector);
  }

  /** Nest's serializer checks an array body item by item; a contract here describes the whole body, array or not. */
  override serialize(
    ...[body, schema, options]: Parameters<StandardSchemaSerializerInterceptor['serialize']>
  ): ReturnType<StandardSchemaSerializerInterceptor['serialize']> {
    return schema && Array.isArray(body) ? this.transformToPlain(body, schema, options) : super.serialize(body, schema, options);
  }

  override async transformToPlain(...[body, schema, options]: Validate): Promise<Record<string, unknown>> {
    if (!body) return body;
    const result = await schema['~standard'].validate(body, options);
    if (result.issues) {
      throw new ResponseContractError(
        `response does not match its contract: ${result.issues.map((issue) => `${where(issue.path)}: ${issue.message}`).join('; ')}`,
      );
    }
    return result.value as Record<string, unknown>;
  }
}
