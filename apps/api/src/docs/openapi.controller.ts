import { Controller, Get } from '@nestjs/common';
import { API_CONTROLLERS } from '../api.controllers';
import { Public } from '../auth/public.decorator';
import { buildOpenApiDocument } from './openapi-document';

@Controller('docs')
export class OpenApiController {
  private readonly document = buildOpenApiDocument(API_CONTROLLERS);

  /** The OpenAPI 3.1 document, generated from the routes and their zod schemas. */
  @Public()
  @Get()
  openApi(): Record<string, unknown> {
    return this.document;
  }
}
