import { Controller, Get, Param, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { DocsEntry } from './docs.service';
import { DocsService } from './docs.service';
import { Public } from '@leadflow/platform/auth';
import { ApiProblems } from '@leadflow/platform/service';

@ApiTags('docs')
@Public()
@Controller('docs')
export class DocsController {
  constructor(private readonly docs: DocsService) {}

  @Get('services.json')
  @ApiOperation({ summary: 'The OpenAPI documents listed at /docs: every service and the gateway' })
  list(): DocsEntry[] {
    return this.docs.catalog();
  }

  @Get('openapi.json')
  @ApiOperation({ summary: 'The public contract in one document: every route the gateway serves or routes' })
  @ApiOkResponse({ description: 'The merged OpenAPI 3 document', schema: { type: 'object' } })
  @ApiProblems(503)
  async merged(@Req() req: Request): Promise<unknown> {
    return this.docs.merged(typeof req.id === 'string' ? req.id : undefined);
  }

  @Get(':service/openapi.json')
  @ApiOperation({ summary: "A service's OpenAPI document, fetched from the service" })
  @ApiOkResponse({ description: 'The OpenAPI 3 document of that service', schema: { type: 'object' } })
  @ApiProblems(503)
  async document(@Param('service') service: string, @Req() req: Request): Promise<unknown> {
    return this.docs.document(service, typeof req.id === 'string' ? req.id : undefined);
  }
}
