import type { IntakeRequestEntity } from '../intake/intake-request.entity';
import { isUtf8 } from 'node:buffer';
import type { IntakeRequestDetailView, IntakeRequestView, WebhookView } from './dto/webhook.dto';
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

export function toIntakeRequestDetailView(r: IntakeRequestEntity): IntakeRequestDetailView {
  const text = r.rawBody !== null && isUtf8(r.rawBody);
  return {
    ...toIntakeRequestView(r),
    webhookId: r.webhookId,
    idempotencyKey: r.idempotencyKey,
    userAgent: r.userAgent,
    rawBody: r.rawBody === null ? null : r.rawBody.toString(text ? 'utf8' : 'base64'),
    rawBodyEncoding: r.rawBody === null ? null : text ? 'utf8' : 'base64',
    rawBodyBytes: r.rawBodyBytes,
    rawBodyTruncated: r.rawBody !== null && r.rawBodyBytes !== null && r.rawBody.length < r.rawBodyBytes,
  };
}
