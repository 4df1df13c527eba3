import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/**
 * Encrypts secrets stored for tenants and for the platform (signing keys, SMTP passwords,
 * provider keys) with AES-256-GCM. The stored form is `v1.<keyId>.<iv>.<tag>.<ciphertext>`
 * (base64url parts); `keyId` names the key so keys can be rotated: encrypt with the current key,
 * decrypt with any key still listed.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;

  /** `keys`: keyId → 32-byte key (base64 in settings); `currentKeyId` encrypts. */
  constructor(
    keys: Record<string, Buffer>,
    private readonly currentKeyId: string,
  ) {
    this.keys = new Map(Object.entries(keys));
    for (const [id, key] of this.keys) {
      if (key.length !== 32) throw new SecretBoxError(`secret key ${id} must be 32 bytes, got ${key.length}`);
      if (!/^[A-Za-z0-9_-]+$/.test(id))
        throw new SecretBoxError(`secret key id ${id} may hold letters, digits, _ and -`);
    }
    if (!this.keys.has(currentKeyId)) throw new SecretBoxError(`no secret key named ${currentKeyId}`);
  }

  /**
   * From the settings format `id1:base64key1,id2:base64key2` (the first encrypts) or a single
   * base64 key (named `k1`).
   */
  static fromSetting(setting: string): SecretBox {
    const entries = setting
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    if (entries.length === 0) throw new SecretBoxError('no secret key given');
    const keys: Record<string, Buffer> = {};
    let first: string | undefined;
    for (const entry of entries) {
      const [id, material] = entry.includes(':') ? entry.split(':', 2) : ['k1', entry];
      keys[id] = Buffer.from(material, 'base64');
      first ??= id;
    }
    return new SecretBox(keys, first as string);
  }

  /** `aad` binds the ciphertext to its owner (e.g. the row id), so it cannot be moved to another row. */
  encrypt(plaintext: string | Buffer, aad = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId) as Buffer, iv);
    cipher.setAAD(Buffer.from(aad));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [VERSION, this.currentKeyId, iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  decrypt(sealed: string, aad = ''): Buffer {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not a sealed secret');
    const key = this.keys.get(parts[1]);
    if (!key) throw new SecretBoxError(`secret sealed with unknown key ${parts[1]}`);
    const [iv, tag, ciphertext] = parts.slice(2).map((p) => Buffer.from(p, 'base64url'));
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new SecretBoxError('secret could not be decrypted (wrong key, owner or tampered)');
    }
  }

  decryptText(sealed: string, aad = ''): string {
    return this.decrypt(sealed, aad).toString('utf8');
  }

  /** Whether any of its keys is this key material, whatever its id or how its base64 was written. */
  holdsKeyMaterial(material: Buffer): boolean {
    return [...this.keys.values()].some(
      (key) => key.length === material.length && timingSafeEqual(key, material),
    );
  }

  /** Whether a sealed secret should be re-encrypted with the current key. */
  needsRotation(sealed: string): boolean {
    return sealed.split('.')[1] !== this.currentKeyId;
  }
}
