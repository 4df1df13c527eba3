import type { SignatureCheck } from '../webhooks/webhook-signature';
import { IntakeErrorCode } from './intake.errors';

/** Why a post is not admitted: the refusal's kind (401 or 403), code and message. */
export interface AdmissionRefusal {
  kind: 'unauthorized' | 'forbidden';
  code: IntakeErrorCode;
  message: string;
}

/** What a post says about who sent it, against what its webhook requires. */
export interface AdmissionFacts {
  /**
   * `none`: no X-Provider-Id; `unknown`: no provider of the webhook's organization with that id
   * and X-Provider-Key; otherwise the provider the key matched.
   */
  provider: 'none' | 'unknown' | { active: boolean; mayPostHere: boolean };
  /** The LeadFlow-Signature header, if sent. */
  signature: string | null;
  requireSignature: boolean;
  /** Verifies the signature (called only once the checks before it passed). */
  verifySignature: (signature: string) => SignatureCheck;
}

export type AdmissionDecision =
  /** Admitted so far (the rate limits, the quota and the signature's first use come next). */
  { admit: true; signature: string | null } | { admit: false; refusal: AdmissionRefusal };

const SIGNATURE_FAILURES = {
  malformed: [IntakeErrorCode.SignatureMalformed, 'LeadFlow-Signature must be t=<unix seconds>,v1=<hex>'],
  expired: [IntakeErrorCode.SignatureExpired, 'The signature timestamp is too old'],
  future: [IntakeErrorCode.SignatureFuture, 'The signature timestamp is in the future'],
  mismatch: [IntakeErrorCode.SignatureMismatch, 'The signature does not match the body'],
} as const;

function refuse(kind: AdmissionRefusal['kind'], code: IntakeErrorCode, message: string): AdmissionDecision {
  return { admit: false, refusal: { kind, code, message } };
}

/**
 * Who may post, checked in this order (the first failing check answers): the provider's
 * credentials when X-Provider-Id is sent (401), that provider being active (403), the signature —
 * required by the webhook, or as the only credentials when no provider is named — and its
 * verification (401), then the provider's reach over the webhook (403). Answers the verified
 * signature to claim (one use each) after the limits.
 */
export function decideAdmission(facts: AdmissionFacts): AdmissionDecision {
  const { provider } = facts;
  if (provider === 'unknown') {
    return refuse(
      'unauthorized',
      IntakeErrorCode.InvalidProviderCredentials,
      'X-Provider-Id and X-Provider-Key do not match a provider of this webhook',
    );
  }
  if (provider !== 'none' && !provider.active) {
    return refuse('forbidden', IntakeErrorCode.ProviderInactive, 'This provider is deactivated');
  }
  let signature: string | null = null;
  if (facts.signature === null) {
    if (facts.requireSignature) {
      return refuse(
        'unauthorized',
        IntakeErrorCode.SignatureRequired,
        'This webhook requires a LeadFlow-Signature header',
      );
    }
    if (provider === 'none') {
      return refuse(
        'unauthorized',
        IntakeErrorCode.CredentialsRequired,
        'Authenticate with X-Provider-Id and X-Provider-Key, or sign the body with LeadFlow-Signature',
      );
    }
  } else {
    const check = facts.verifySignature(facts.signature);
    if (!check.ok) {
      const [code, message] = SIGNATURE_FAILURES[check.reason];
      return refuse('unauthorized', code, message);
    }
    signature = check.signature;
  }
  if (provider !== 'none' && !provider.mayPostHere) {
    return refuse(
      'forbidden',
      IntakeErrorCode.ProviderNotAllowed,
      'This provider is not allowed to post to this webhook',
    );
  }
  return { admit: true, signature };
}
