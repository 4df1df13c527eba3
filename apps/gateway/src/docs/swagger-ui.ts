import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import { SwaggerModule } from '@nestjs/swagger';
import { DocsService, GATEWAY_OPENAPI_PATH } from './docs.service';

/**
 * Swagger UI at `/docs` with a selector over every service's document and the gateway's own,
 * which is served at `/openapi.json` like every service's.
 */
export function setupSwaggerUi(app: NestExpressApplication, document: OpenAPIObject): void {
  app.get(DocsService).setOwnDocument(document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: GATEWAY_OPENAPI_PATH.slice(1),
    raw: ['json'],
    explorer: true,
    customSiteTitle: 'LeadFlow API',
    swaggerOptions: { urls: app.get(DocsService).catalog() },
  });
}
