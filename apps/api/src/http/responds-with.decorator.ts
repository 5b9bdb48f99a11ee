import { applyDecorators, SerializeOptions } from '@nestjs/common';
import { ApiProduces, ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';

/**
 * The body a route answers with on success, as a zod contract from libs/contracts. The same schema checks
 * the body on the way out (StandardSchemaSerializerInterceptor, through @SerializeOptions) and describes
 * it in the OpenAPI document (@ApiResponse's standardSchema), so neither can drift from the other.
 * `status` is the route's success status, written out (Nest's default is 201 for POST, 200 otherwise).
 */
export function RespondsWith(status: number, schema: z.ZodType, options: { description?: string; contentType?: string } = {}): MethodDecorator {
  return applyDecorators(
    SerializeOptions({ schema }),
    ...(options.contentType ? [ApiProduces(options.contentType)] : []),
    ApiResponse({ status, description: options.description ?? '', standardSchema: schema }),
  );
}

/** A body that is not JSON (Prometheus text, server-sent events): documented, not checked. */
export function RespondsWithText(status: number, contentType: string, description: string): MethodDecorator {
  return applyDecorators(ApiProduces(contentType), ApiResponse({ status, description, schema: { type: 'string' } }));
}

/** A success without a body (204). */
export function RespondsWithNoContent(description: string): MethodDecorator {
  return ApiResponse({ status: 204, description });
}
