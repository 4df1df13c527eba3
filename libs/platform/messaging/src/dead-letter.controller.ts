import type { Page } from '@leadflow/contracts';
import { Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '@leadflow/platform/persistence';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { DeadLetter } from './dead-letters';
import { DeadLetterService } from './dead-letters';
import { OperatorOnly } from '@leadflow/platform/auth';

export class ListDeadLettersQuery extends PageQuery {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  consumer?: string;
}

/** Operators' view of the service's dead letters (service port only; not routed by the gateway). */
@ApiTags('admin')
@OperatorOnly()
@Controller('admin/dlq')
export class DeadLetterController {
  constructor(private readonly deadLetters: DeadLetterService) {}

  @Get()
  @ApiOperation({ summary: 'List dead-lettered messages, oldest first' })
  list(@Query() query: ListDeadLettersQuery): Promise<Page<DeadLetter>> {
    return this.deadLetters.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dead-lettered message with its error' })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<DeadLetter> {
    return this.deadLetters.get(id);
  }

  @Post(':id/replay')
  @ApiOperation({ summary: 'Publish the original message again on its original topic' })
  replay(@Param('id', new ParseUUIDPipe()) id: string): Promise<DeadLetter> {
    return this.deadLetters.replay(id);
  }
}
