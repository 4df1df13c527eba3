import { ChangeRecorder } from '@leadflow/platform/audit';
import { SecretBox } from '@leadflow/platform/secrets';
import type { OnModuleInit } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import type { JWK } from 'jose';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AuditActions } from '../audit/audit-actions';
import { IdentityEnv } from '../config/env.schema';
import { SigningKeyEntity } from './signing-key.entity';
import { SigningKeysRepository } from './signing-keys.repository';

/** How long a retired key stays published beyond the longest token lifetime (clock skew). */
const RETIRED_KEY_GRACE_SECONDS = 60;
/** Replicas re-read the active key this often, so a rotation elsewhere is picked up. */
const ACTIVE_KEY_CACHE_MS = 30_000;

interface ActiveKey {
  kid: string;
  privateKey: KeyObject;
  loadedAt: number;
}

/**
 * identity's RS256 signing keys: one active key (generated on first start), rotation by operators,
 * retired keys published until every token they signed has expired. Private keys are sealed at rest.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger('SigningKeys');
  private readonly box: SecretBox;
  private active: ActiveKey | undefined;

  constructor(
    private readonly repository: SigningKeysRepository,
    private readonly changes: ChangeRecorder,
    private readonly env: IdentityEnv,
  ) {
    this.box = SecretBox.fromSetting(env.SECRETS_ENCRYPTION_KEY);
  }

  async onModuleInit(): Promise<void> {
    const created = await this.repository.transaction(async (manager) => {
      if (await this.repository.findActive(manager)) return undefined;
      return this.createKey(manager);
    });
    if (created) this.logger.log(`generated signing key ${created}`);
  }

  /** Signs the claims with the active key (header `kid`). */
  async sign(claims: object): Promise<string> {
    const key = await this.activeKey();
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const keys = await this.repository.findPublished();
    return { keys: keys.map((k) => k.publicJwk) };
  }

  /** The PEM public key of a published `kid` (verification inside identity). */
  async publicKeyPem(kid: string): Promise<string | undefined> {
    const key = await this.repository.findPublishedByKid(kid);
    if (!key) return undefined;
    return createPublicKey({ key: key.publicJwk as never, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
  }

  /** Retires the active key (still published for the access-token lifetime) and activates a new one. */
  async rotate(): Promise<{ kid: string; retiredKid: string | null; retiredKeyExpiresAt: string }> {
    const result = await this.repository.transaction(async (manager) => {
      const previous = await this.repository.findActive(manager);
      const now = new Date();
      const expiresAt = new Date(
        now.getTime() + (this.env.ACCESS_TOKEN_TTL_SECONDS + RETIRED_KEY_GRACE_SECONDS) * 1000,
      );
      await this.repository.retireActive(manager, now, expiresAt);
      const kid = await this.createKey(manager);
      await this.changes.record(manager, {
        audit: {
          organizationId: null,
          actor: { type: 'operator', id: null },
          action: AuditActions.signingKeyRotated,
          target: { type: 'signing_key', id: kid },
          details: { retiredKid: previous?.kid ?? null },
        },
      });
      return { kid, retiredKid: previous?.kid ?? null, retiredKeyExpiresAt: expiresAt.toISOString() };
    });
    this.active = undefined;
    this.logger.log(`rotated signing key: ${result.retiredKid ?? '-'} -> ${result.kid}`);
    return result;
  }

  private async createKey(manager: EntityManager): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = uuidv7();
    const pem = (privateKey as KeyObject).export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = new SigningKeyEntity();
    Object.assign(key, {
      kid,
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
      privateKeySealed: this.box.encrypt(pem, kid),
      createdAt: new Date(),
      retiredAt: null,
      expiresAt: null,
    });
    await this.repository.insert(manager, key);
    return kid;
  }

  private async activeKey(): Promise<ActiveKey> {
    if (this.active && Date.now() - this.active.loadedAt < ACTIVE_KEY_CACHE_MS) return this.active;
    const row = await this.repository.findActive();
    if (!row) throw new Error('no active signing key (identity start-up generates one)');
    if (this.active?.kid !== row.kid) {
      const pem = this.box.decryptText(row.privateKeySealed, row.kid);
      this.active = { kid: row.kid, privateKey: createPrivateKey(pem), loadedAt: Date.now() };
    } else {
      this.active.loadedAt = Date.now();
    }
    return this.active;
  }
}
