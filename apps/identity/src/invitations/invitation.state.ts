import { singleUseTokenState } from '../common/single-use-token';

export const InvitationStatuses = ['pending', 'accepted', 'revoked', 'expired'] as const;
export type InvitationStatus = (typeof InvitationStatuses)[number];

/** Where an invitation stands at `now`; accepted and revoked are final. */
export function invitationStatus(
  invitation: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date },
  now: Date,
): InvitationStatus {
  const state = singleUseTokenState({ ...invitation, usedAt: invitation.acceptedAt }, now);
  return state === 'used' ? 'accepted' : state;
}
