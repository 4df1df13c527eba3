import { MessagingServiceEnv } from '@leadflow/platform/config';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of the campaigns service (shared ones are documented on MessagingServiceEnv). */
export class CampaignsEnv extends MessagingServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  CAMPAIGNS_PORT = 3004;
}
