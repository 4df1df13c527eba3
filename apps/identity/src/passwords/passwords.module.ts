import { Module } from '@nestjs/common';
import { PasswordResetsRepository } from './password-resets.repository';
import { PasswordsController } from './passwords.controller';
import { PasswordsService } from './passwords.service';

@Module({
  controllers: [PasswordsController],
  providers: [PasswordResetsRepository, PasswordsService],
})
export class PasswordsModule {}
