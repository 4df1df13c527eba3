import { OperatorOnly, Public } from '@leadflow/platform/auth';
import { Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JWK } from 'jose';
import { SigningKeysService } from './signing-keys.service';

@ApiTags('keys')
@Controller()
export class SigningKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @Public()
  @Get('.well-known/jwks.json')
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperation({ summary: 'Public keys that verify access tokens (active and recently retired)' })
  jwks(): Promise<{ keys: JWK[] }> {
    return this.keys.jwks();
  }

  @OperatorOnly()
  @Post('api/v1/signing-keys/rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Operators: activate a new signing key; the old one stays published for the token lifetime',
  })
  rotate(): Promise<{ kid: string; retiredKid: string | null; retiredKeyExpiresAt: string }> {
    return this.keys.rotate();
  }
}
