import type { FieldError } from '@leadflow/contracts';
import { commonPasswords } from './common-passwords';

export const PASSWORD_MIN_LENGTH = 12;
/** argon2 hashes any length, but a bound keeps hashing cost predictable. */
export const PASSWORD_MAX_LENGTH = 256;

/** Why a password is refused (empty: accepted). Rules: length, not a common password, not the e-mail. */
export function passwordProblems(password: string, context: { email?: string } = {}): FieldError[] {
  const problems: FieldError[] = [];
  const field = 'password';
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    problems.push({
      field,
      rule: 'minLength',
      message: `password must be at least ${PASSWORD_MIN_LENGTH} characters`,
    });
  }
  if ([...password].length > PASSWORD_MAX_LENGTH) {
    problems.push({
      field,
      rule: 'maxLength',
      message: `password must be at most ${PASSWORD_MAX_LENGTH} characters`,
    });
  }
  const lower = password.trim().toLowerCase();
  if (commonPasswords.has(lower)) {
    problems.push({ field, rule: 'notCommon', message: 'password is too common; choose another one' });
  } else if (context.email && lower === context.email.trim().toLowerCase()) {
    problems.push({ field, rule: 'notEmail', message: 'password must not be the e-mail address' });
  }
  return problems;
}
