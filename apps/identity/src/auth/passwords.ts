import { DomainError } from '@leadflow/platform/errors';
import * as argon2 from 'argon2';
import { passwordProblems } from './password-policy';

const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** argon2id hash of a password (what `users.password_hash` stores). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return argon2.verify(hash, password);
}

/** Throws 422 `validation_failed` (field `password`, or `field`) when the policy refuses the password. */
export function assertPasswordPolicy(password: string, email: string, field = 'password'): void {
  const problems = passwordProblems(password, { email }).map((p) => ({ ...p, field }));
  if (problems.length > 0) {
    throw new DomainError('validation', 'validation_failed', 'The password does not meet the policy', {
      fieldErrors: problems,
    });
  }
}
