import { DEV_MAIL_TOKENS_KEY, MailTokens } from '@leadflow/platform/secrets';

const devMailTokens = MailTokens.fromSetting(DEV_MAIL_TOKENS_KEY);

/**
 * The token in clear from a published user.invited or user.password_reset_requested payload, as
 * the mailing service opens it (tests run identity with the development MAIL_TOKENS_KEY).
 */
export function openedMailToken(envelope: { type: string; payload: Record<string, unknown> }): string {
  const { payload } = envelope;
  if (envelope.type === 'user.invited')
    return devMailTokens.open('invitation', payload.invitationId as string, payload.sealedToken as string);
  if (envelope.type === 'user.password_reset_requested')
    return devMailTokens.open('password_reset', payload.userId as string, payload.sealedToken as string);
  throw new Error(`${envelope.type} carries no mail token`);
}
