import type { IntakeRequestEntity } from '../intake/intake-request.entity';
import type { IntakeRequestView, WebhookView } from './dto/webhook.dto';
import type { WebhookEntity } from './webhook.entity';

export function toWebhookView(w: WebhookEntity, publicBaseUrl: string): WebhookView {
  return {
    id: w.id,
    workspaceId: w.workspaceId,
    name: w.name,
    description: w.description,
    vertical: w.vertical,
    status: w.status,
    url: `${publicBaseUrl}/webhooks/leads/${w.id}`,
    requireSignature: w.requireSignature,
    requireConsent: w.requireConsent,
    rateLimit: w.rateLimit,
    rateWindowSeconds: w.rateWindowSeconds,
    dedupWindowHours: w.dedupWindowHours,
    dedupMatch: w.dedupMatch,
    dedupScope: w.dedupScope,
    fieldMapping: w.fieldMapping,
    previousSecretValidUntil:
      w.previousSecretExpiresAt && w.previousSecretExpiresAt > new Date()
        ? w.previousSecretExpiresAt.toISOString()
        : null,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

export function toIntakeRequestView(r: IntakeRequestEntity): IntakeRequestView {
  return {
    id: r.id,
    providerId: r.providerId,
    outcome: r.outcome,
    httpStatus: r.httpStatus,
    code: r.code,
    errors: r.errors,
    leadId: r.leadId,
    contentType: r.contentType,
    ip: r.ip,
    receivedAt: r.receivedAt.toISOString(),
  };
}
