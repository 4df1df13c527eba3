import { MessagingServiceEnv } from '@leadflow/platform/config';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of the routing service (shared ones are documented on MessagingServiceEnv). */
export class RoutingEnv extends MessagingServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  ROUTING_PORT = 3006;
}
