import { randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError } from './secret-box';

describe('SecretBox', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('round-trips and never stores the plaintext', () => {
    const box = new SecretBox({ k1 }, 'k1');
    const sealed = box.encrypt('smtp-password-123', 'row-1');
    expect(sealed).not.toContain('smtp-password-123');
    expect(sealed.startsWith('v1.k1.')).toBe(true);
    expect(box.decryptText(sealed, 'row-1')).toBe('smtp-password-123');
    expect(box.encrypt('same', 'row-1')).not.toBe(box.encrypt('same', 'row-1'));
  });

  it('refuses a sealed secret moved to another owner or tampered with', () => {
    const box = new SecretBox({ k1 }, 'k1');
    const sealed = box.encrypt('secret', 'row-1');
    expect(() => box.decrypt(sealed, 'row-2')).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    parts[4] = Buffer.from('x' + Buffer.from(parts[4], 'base64url').toString('latin1')).toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'row-1')).toThrow(SecretBoxError);
    expect(() => box.decrypt('plain text', 'row-1')).toThrow('not a sealed secret');
  });

  it('rotates: new secrets use the first key, old ones still open', () => {
    const old = new SecretBox({ k1 }, 'k1');
    const sealed = old.encrypt('secret');
    const rotated = SecretBox.fromSetting(`k2:${k2.toString('base64')},k1:${k1.toString('base64')}`);
    expect(rotated.decryptText(sealed)).toBe('secret');
    expect(rotated.needsRotation(sealed)).toBe(true);
    expect(rotated.encrypt('new').split('.')[1]).toBe('k2');
  });

  it('refuses keys of the wrong size', () => {
    expect(() => SecretBox.fromSetting(randomBytes(16).toString('base64'))).toThrow('must be 32 bytes');
  });
});
