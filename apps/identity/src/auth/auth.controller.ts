import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, Public, RequireUser } from '@leadflow/platform/auth';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService } from './auth.service';
import type { MeView, RegistrationResult, TokenPair } from './dto/auth.dto';
import { LoginDto, RefreshDto, RegisterDto } from './dto/auth.dto';
import { NoStore, ApiProblems } from '@leadflow/platform/service';

@ApiTags('auth')
@Controller('api/v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/register')
  @NoStore()
  @ApiOperation({ summary: 'Sign up: creates an organization, its first workspace and its owner' })
  @ApiProblems(409)
  register(@Body() dto: RegisterDto, @Client() client: ClientInfo): Promise<RegistrationResult> {
    return this.auth.register(dto, client);
  }

  @Public()
  @Post('auth/login')
  @NoStore()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with e-mail and password: answers an access and a refresh token' })
  @ApiProblems(401, 429)
  login(@Body() dto: LoginDto, @Client() client: ClientInfo): Promise<TokenPair> {
    return this.auth.login(dto, client);
  }

  @Public()
  @Post('auth/refresh')
  @NoStore()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair; a token used twice ends its session' })
  @ApiProblems(401)
  refresh(@Body() dto: RefreshDto, @Client() client: ClientInfo): Promise<TokenPair> {
    return this.auth.refresh(dto, client);
  }

  @ApiBearerAuth()
  @RequireUser()
  @Post('auth/logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End the session: its refresh tokens stop working (its access tokens expire within 15 min)',
  })
  logout(@CurrentPrincipal() principal: Principal, @Client() client: ClientInfo): Promise<void> {
    return this.auth.logout(principal, client);
  }

  @ApiBearerAuth()
  @RequireUser()
  @Get('me')
  @ApiOperation({ summary: 'The signed-in user, their organization and membership (role, workspaces)' })
  me(@CurrentPrincipal() principal: Principal): Promise<MeView> {
    return this.auth.me(principal);
  }
}
