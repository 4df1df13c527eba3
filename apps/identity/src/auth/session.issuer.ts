import type { ClientInfo } from '@leadflow/platform/audit';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { IdentityEnv } from '../config/env.schema';
import type { MembershipEntity } from '../users/membership.entity';
import { AccessTokenIssuer } from './access-token.issuer';
import type { TokenPair } from './dto/auth.dto';
import { RefreshTokenEntity } from './refresh-token.entity';
import { hashToken, newRefreshToken } from './refresh-rotation';
import { SessionEntity } from './session.entity';
import { SessionsRepository } from './sessions.repository';

/** A signed-in session of a user in one organization, with its current (plain) refresh token. */
export interface SignIn {
  userId: string;
  membership: MembershipEntity;
  sessionId: string;
  refreshToken: string;
}

/** Opens sessions (sign-in, sign-up, accepted invitations) and issues their token pairs. */
@Injectable()
export class SessionIssuer {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly tokens: AccessTokenIssuer,
    private readonly env: IdentityEnv,
  ) {}

  async open(
    manager: EntityManager,
    userId: string,
    membership: MembershipEntity,
    client: ClientInfo,
  ): Promise<SignIn> {
    const now = new Date();
    const session = Object.assign(new SessionEntity(), {
      id: uuidv7(),
      organizationId: membership.organizationId,
      userId,
      ip: client.ip,
      userAgent: client.userAgent,
      createdAt: now,
      revokedAt: null,
      revokedReason: null,
    } satisfies SessionEntity);
    await this.sessions.insertSession(manager, session);
    const refreshToken = newRefreshToken();
    await this.sessions.insertRefreshToken(manager, this.refreshRow(session, refreshToken, null, now));
    return { userId, membership, sessionId: session.id, refreshToken };
  }

  refreshRow(
    session: Pick<SessionEntity, 'id' | 'organizationId'>,
    token: string,
    parentId: string | null,
    now: Date,
  ): RefreshTokenEntity {
    return Object.assign(new RefreshTokenEntity(), {
      id: uuidv7(),
      organizationId: session.organizationId,
      sessionId: session.id,
      parentId,
      tokenHash: hashToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.env.REFRESH_TOKEN_TTL_DAYS * 86_400_000),
      usedAt: null,
      revokedAt: null,
    } satisfies RefreshTokenEntity);
  }

  async pair(signIn: SignIn): Promise<TokenPair> {
    const { accessToken, expiresIn } = await this.tokens.forUser({
      userId: signIn.userId,
      organizationId: signIn.membership.organizationId,
      role: signIn.membership.role,
      workspaceIds: signIn.membership.workspaceIds,
      sessionId: signIn.sessionId,
    });
    return { accessToken, refreshToken: signIn.refreshToken, tokenType: 'Bearer', expiresIn };
  }
}
