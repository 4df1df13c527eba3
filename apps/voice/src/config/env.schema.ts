import { MessagingServiceEnv } from '@leadflow/platform/config';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of the voice service (shared ones are documented on MessagingServiceEnv). */
export class VoiceEnv extends MessagingServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  VOICE_PORT = 3005;
}
