import { invitationStatus } from './invitation.state';

describe('invitation status', () => {
  const now = new Date('2026-11-23T12:00:00.000Z');
  const past = new Date('2026-11-22T12:00:00.000Z');
  const future = new Date('2026-11-30T12:00:00.000Z');
  const base = { acceptedAt: null, revokedAt: null, expiresAt: future };

  it('is pending before it expires, expired after', () => {
    expect(invitationStatus(base, now)).toBe('pending');
    expect(invitationStatus({ ...base, expiresAt: past }, now)).toBe('expired');
  });

  it('stays accepted or revoked whatever the time', () => {
    expect(invitationStatus({ ...base, acceptedAt: past, expiresAt: past }, now)).toBe('accepted');
    expect(invitationStatus({ ...base, revokedAt: past, expiresAt: past }, now)).toBe('revoked');
  });
});
