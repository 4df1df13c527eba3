import { commonPasswords } from './common-passwords';
import { passwordProblems } from './password-policy';

describe('password policy', () => {
  it('accepts a long, uncommon password', () => {
    expect(passwordProblems('correct-violet-staple-42')).toEqual([]);
  });

  it('refuses a password shorter than 12 characters, counting code points', () => {
    expect(passwordProblems('short-pw-11')).toEqual([
      { field: 'password', rule: 'minLength', message: expect.stringContaining('12') },
    ]);
    expect(passwordProblems('🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒').map((p) => p.rule)).toEqual(['minLength']);
    expect(passwordProblems('abcdefgh-xyz')).toEqual([]);
  });

  it('refuses common passwords whatever their case', () => {
    expect(passwordProblems('Password1234').map((p) => p.rule)).toEqual(['notCommon']);
    expect(passwordProblems('QWERTYUIOP123').map((p) => p.rule)).toEqual(['notCommon']);
    expect(passwordProblems('password').map((p) => p.rule)).toEqual(['minLength', 'notCommon']);
  });

  it('ships a list of about 200 lower-cased entries', () => {
    expect(commonPasswords.size).toBeGreaterThanOrEqual(200);
    for (const entry of commonPasswords) expect(entry).toBe(entry.toLowerCase());
  });

  it('refuses the e-mail address as password, and very long passwords', () => {
    expect(passwordProblems('Someone.Long@example.com', { email: 'someone.long@example.com' })).toEqual([
      expect.objectContaining({ rule: 'notEmail' }),
    ]);
    expect(passwordProblems('x'.repeat(257)).map((p) => p.rule)).toEqual(['maxLength']);
  });
});
