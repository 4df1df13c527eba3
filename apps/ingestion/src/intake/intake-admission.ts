import type { SignatureCheck } from '../webhooks/webhook-signature';
import { IntakeErrorCode } from './intake.errors';

/** Why a post is not admitted: the refusal's code (its kind, 401 or 403, and message are in IntakeError's table). */
export interface AdmissionRefusal {
  code: RefusalCode;
}

/** The codes an admission can refuse with (none takes parameters). */
export type RefusalCode =
  | IntakeErrorCode.InvalidProviderCredentials
  | IntakeErrorCode.ProviderInactive
  | IntakeErrorCode.SignatureRequired
  | IntakeErrorCode.CredentialsRequired
  | IntakeErrorCode.SignatureMalformed
  | IntakeErrorCode.SignatureExpired
  | IntakeErrorCode.SignatureFuture
  | IntakeErrorCode.SignatureMismatch
  | IntakeErrorCode.ProviderNotAllowed;

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
  malformed: IntakeErrorCode.SignatureMalformed,
  expired: IntakeErrorCode.SignatureExpired,
  future: IntakeErrorCode.SignatureFuture,
  mismatch: IntakeErrorCode.SignatureMismatch,
} as const;

function refuse(code: RefusalCode): AdmissionDecision {
  return { admit: false, refusal: { code } };
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
    return refuse(IntakeErrorCode.InvalidProviderCredentials);
  }
  if (provider !== 'none' && !provider.active) {
    return refuse(IntakeErrorCode.ProviderInactive);
  }
  let signature: string | null = null;
  if (facts.signature === null) {
    if (facts.requireSignature) {
      return refuse(IntakeErrorCode.SignatureRequired);
    }
    if (provider === 'none') {
      return refuse(IntakeErrorCode.CredentialsRequired);
    }
  } else {
    const check = facts.verifySignature(facts.signature);
    if (!check.ok) {
      return refuse(SIGNATURE_FAILURES[check.reason]);
    }
    signature = check.signature;
  }
  if (provider !== 'none' && !provider.mayPostHere) {
    return refuse(IntakeErrorCode.ProviderNotAllowed);
  }
  return { admit: true, signature };
}
