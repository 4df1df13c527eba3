import { MessagingServiceEnv } from '@leadflow/platform/config';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of the enrichment service (shared ones are documented on MessagingServiceEnv). */
export class EnrichmentEnv extends MessagingServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  ENRICHMENT_PORT = 3003;
}
