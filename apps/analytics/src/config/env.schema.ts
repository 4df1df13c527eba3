import { MessagingServiceEnv } from '@leadflow/platform/config';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of the analytics service (shared ones are documented on MessagingServiceEnv). */
export class AnalyticsEnv extends MessagingServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  ANALYTICS_PORT = 3007;
}
