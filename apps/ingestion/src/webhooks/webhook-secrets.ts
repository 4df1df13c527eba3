import { SecretBox } from '@leadflow/platform/secrets';
import { Injectable } from '@nestjs/common';
import { IngestionEnv } from '../config/env.schema';
import type { WebhookEntity } from './webhook.entity';

/** Seals webhook signing secrets at rest (bound to the webhook id) and opens the valid ones. */
@Injectable()
export class WebhookSecrets {
  private readonly box: SecretBox;

  constructor(env: IngestionEnv) {
    this.box = SecretBox.fromSetting(env.SECRETS_ENCRYPTION_KEY);
  }

  seal(webhookId: string, secret: string): string {
    return this.box.encrypt(secret, `webhook:${webhookId}`);
  }

  /** The secrets a signature may be made with right now: current, and the previous during its grace. */
  valid(webhook: WebhookEntity, now = new Date()): string[] {
    const aad = `webhook:${webhook.id}`;
    const secrets = [this.box.decrypt(webhook.secretSealed, aad).toString('utf8')];
    if (
      webhook.previousSecretSealed &&
      webhook.previousSecretExpiresAt &&
      webhook.previousSecretExpiresAt > now
    ) {
      secrets.push(this.box.decrypt(webhook.previousSecretSealed, aad).toString('utf8'));
    }
    return secrets;
  }
}
