import { MessagingServiceEnv } from '@leadflow/platform/config';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of the ingestion service (shared ones are documented on MessagingServiceEnv). */
export class IngestionEnv extends MessagingServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  INGESTION_PORT = 3002;
}
