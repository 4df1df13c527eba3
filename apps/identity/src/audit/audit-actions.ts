/** identity's audited actions (stable names, filterable with `?action=`). */
export const AuditActions = {
  register: 'auth.registered',
  loginSucceeded: 'auth.login_succeeded',
  loginFailed: 'auth.login_failed',
  refreshReuseDetected: 'auth.refresh_reuse_detected',
  logout: 'auth.logged_out',
  apiKeyCreated: 'api_key.created',
  apiKeyRevoked: 'api_key.revoked',
  workspaceCreated: 'workspace.created',
  workspaceUpdated: 'workspace.updated',
  organizationUpdated: 'organization.updated',
  signingKeyRotated: 'signing_key.rotated',
  memberUpdated: 'member.updated',
  memberRemoved: 'member.removed',
  invitationCreated: 'invitation.created',
  invitationRevoked: 'invitation.revoked',
  invitationAccepted: 'invitation.accepted',
  passwordResetRequested: 'password.reset_requested',
  passwordReset: 'password.reset',
  passwordChanged: 'password.changed',
} as const;
export type AuditAction = (typeof AuditActions)[keyof typeof AuditActions];
