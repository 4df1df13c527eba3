import type { SignatureCheck } from '../webhooks/webhook-signature';
import type { AdmissionFacts } from './intake-admission';
import { decideAdmission } from './intake-admission';
import { IntakeError, IntakeErrorCode } from './intake.errors';

const valid: SignatureCheck = { ok: true, signature: 'v1-hex', timestamp: 1 };

function facts(overrides: Partial<AdmissionFacts> = {}): AdmissionFacts {
  return {
    provider: { active: true, mayPostHere: true },
    signature: null,
    requireSignature: false,
    verifySignature: () => valid,
    ...overrides,
  };
}

function refusalOf(input: AdmissionFacts): { kind: string; code: IntakeErrorCode } | null {
  const decision = decideAdmission(input);
  return decision.admit
    ? null
    : { kind: IntakeError.of(decision.refusal.code).kind, code: decision.refusal.code };
}

describe('decideAdmission', () => {
  it('admits an active provider allowed here, with no signature to claim', () => {
    expect(decideAdmission(facts())).toEqual({ admit: true, signature: null });
  });

  it('admits a signed post without a provider and answers the signature to claim', () => {
    expect(decideAdmission(facts({ provider: 'none', signature: 't=1,v1=hex' }))).toEqual({
      admit: true,
      signature: 'v1-hex',
    });
  });

  it('refuses credentials that match no provider first, before anything else is looked at', () => {
    const verifySignature = jest.fn(() => valid);
    expect(refusalOf(facts({ provider: 'unknown', signature: 'x', verifySignature }))).toEqual({
      kind: 'unauthorized',
      code: IntakeErrorCode.InvalidProviderCredentials,
    });
    expect(verifySignature).not.toHaveBeenCalled();
  });

  it('refuses a deactivated provider before checking the signature', () => {
    const verifySignature = jest.fn(() => valid);
    expect(
      refusalOf(facts({ provider: { active: false, mayPostHere: false }, signature: 'x', verifySignature })),
    ).toEqual({ kind: 'forbidden', code: IntakeErrorCode.ProviderInactive });
    expect(verifySignature).not.toHaveBeenCalled();
  });

  it('refuses an unsigned post to a webhook that requires signatures, even from a provider', () => {
    expect(refusalOf(facts({ requireSignature: true }))).toEqual({
      kind: 'unauthorized',
      code: IntakeErrorCode.SignatureRequired,
    });
  });

  it('refuses a post with neither provider credentials nor a signature', () => {
    expect(refusalOf(facts({ provider: 'none' }))).toEqual({
      kind: 'unauthorized',
      code: IntakeErrorCode.CredentialsRequired,
    });
  });

  it.each([
    ['malformed', IntakeErrorCode.SignatureMalformed],
    ['expired', IntakeErrorCode.SignatureExpired],
    ['future', IntakeErrorCode.SignatureFuture],
    ['mismatch', IntakeErrorCode.SignatureMismatch],
  ] as const)('refuses a %s signature with its own code', (reason, code) => {
    const verifySignature = (): SignatureCheck => ({ ok: false, reason });
    expect(refusalOf(facts({ provider: 'none', signature: 'x', verifySignature }))).toEqual({
      kind: 'unauthorized',
      code,
    });
  });

  it('verifies a signature sent by a provider too, before the provider’s reach', () => {
    const verifySignature = (): SignatureCheck => ({ ok: false, reason: 'mismatch' });
    expect(
      refusalOf(facts({ provider: { active: true, mayPostHere: false }, signature: 'x', verifySignature })),
    ).toEqual({ kind: 'unauthorized', code: IntakeErrorCode.SignatureMismatch });
  });

  it('refuses a provider not allowed to post to this webhook last', () => {
    expect(refusalOf(facts({ provider: { active: true, mayPostHere: false } }))).toEqual({
      kind: 'forbidden',
      code: IntakeErrorCode.ProviderNotAllowed,
    });
  });
});
