import { SecretBox } from './secret-box';

/** What a mail token is for; part of what the seal is bound to. */
export type MailTokenPurpose = 'invitation' | 'password_reset';

/**
 * Seals the single-use tokens identity e-mails (invitation and password-reset links) before they
 * leave it in an event, so that neither the outbox nor the topic (kept without a time limit)
 * holds them in clear. The key, MAIL_TOKENS_KEY, is held by identity (which seals) and by the
 * mailing service (campaigns, which opens to build the link) and by no other service.
 * The seal is bound to its purpose and subject (the invitation's id, the user's id), so a sealed
 * token cannot be replayed as another kind or for another subject.
 */
export class MailTokens {
  constructor(private readonly box: SecretBox) {}

  /** From the MAIL_TOKENS_KEY setting (`id:base64,...`; the first seals, all open). */
  static fromSetting(setting: string): MailTokens {
    return new MailTokens(SecretBox.fromSetting(setting));
  }

  seal(purpose: MailTokenPurpose, subjectId: string, token: string): string {
    return this.box.encrypt(token, bindingOf(purpose, subjectId));
  }

  /** The token in clear; throws SecretBoxError for a wrong key, purpose or subject. */
  open(purpose: MailTokenPurpose, subjectId: string, sealedToken: string): string {
    return this.box.decrypt(sealedToken, bindingOf(purpose, subjectId)).toString('utf8');
  }
}

function bindingOf(purpose: MailTokenPurpose, subjectId: string): string {
  return `mail-token:${purpose}:${subjectId}`;
}
