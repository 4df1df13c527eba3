import { MailTokens } from '@leadflow/platform/secrets';
import { UnitOfWork } from '@leadflow/platform/persistence';
import { Global, Module } from '@nestjs/common';
import { IdentityEnv } from '../config/env.schema';

/** Sealing of the tokens identity e-mails (invitations, password resets): one MailTokens. */
const mailTokens = {
  provide: MailTokens,
  inject: [IdentityEnv],
  useFactory: (env: IdentityEnv): MailTokens => MailTokens.fromSetting(env.MAIL_TOKENS_KEY),
};

@Global()
@Module({ providers: [UnitOfWork, mailTokens], exports: [UnitOfWork, MailTokens] })
export class CommonModule {}
