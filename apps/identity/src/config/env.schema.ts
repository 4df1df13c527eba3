import { MessagingServiceEnv } from '@leadflow/platform/config';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of the identity service (shared ones are documented on MessagingServiceEnv). */
export class IdentityEnv extends MessagingServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  IDENTITY_PORT = 3001;
}
