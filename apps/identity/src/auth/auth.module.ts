import { Global, Module } from '@nestjs/common';
import { AccessTokenIssuer } from './access-token.issuer';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginAttemptsPruner } from './login-attempts.pruner';
import { SessionIssuer } from './session.issuer';
import { SessionsRepository } from './sessions.repository';

@Global()
@Module({
  controllers: [AuthController],
  providers: [AuthService, SessionsRepository, AccessTokenIssuer, SessionIssuer, LoginAttemptsPruner],
  exports: [AccessTokenIssuer, SessionsRepository, SessionIssuer],
})
export class IdentityAuthModule {}
