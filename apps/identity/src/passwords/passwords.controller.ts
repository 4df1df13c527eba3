import { ApiProblems } from '@leadflow/platform/service';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, Public, RequireUser } from '@leadflow/platform/auth';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PasswordResetResult } from './dto/password.dto';
import { ChangePasswordDto, ConfirmPasswordResetDto, RequestPasswordResetDto } from './dto/password.dto';
import { PasswordsService } from './passwords.service';

@ApiTags('passwords')
@Controller('api/v1')
export class PasswordsController {
  constructor(private readonly passwords: PasswordsService) {}

  @Public()
  @Post('password-resets')
  @HttpCode(202)
  @ApiOperation({ summary: 'Request a reset link; always 202, whether or not the e-mail has an account' })
  request(@Body() dto: RequestPasswordResetDto, @Client() client: ClientInfo): Promise<void> {
    return this.passwords.requestReset(dto, client);
  }

  @Public()
  @Post('password-resets/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Set a new password with a reset token; every session of the user ends (answers how many, and the live API keys they created)',
  })
  @ApiProblems(410)
  confirm(@Body() dto: ConfirmPasswordResetDto, @Client() client: ClientInfo): Promise<PasswordResetResult> {
    return this.passwords.confirmReset(dto, client);
  }

  @ApiBearerAuth()
  @RequireUser()
  @Post('me/password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your password; every session ends, this one too (sign in again)' })
  @ApiProblems(429)
  change(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: ChangePasswordDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    return this.passwords.change(principal, dto, client);
  }
}
