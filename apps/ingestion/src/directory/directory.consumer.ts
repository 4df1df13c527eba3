import type { EventOf } from '@leadflow/contracts';
import {
  InvitationCreated,
  OrganizationCreated,
  OrganizationUpdated,
  PasswordResetRequested,
  UserCreated,
  UserRemoved,
  UserUpdated,
  WorkspaceCreated,
  WorkspaceUpdated,
} from '@leadflow/contracts';
import { EventConsumer, EventContext } from '@leadflow/platform/messaging';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DirectoryRepository } from './directory.repository';

/**
 * Keeps the local copies of organizations (plan, quotas), workspaces and users from identity's
 * events. Mail-only events of identity's users topic are not copied.
 */
@EventConsumer('directory', { ignores: [PasswordResetRequested, InvitationCreated] })
export class DirectoryConsumer {
  constructor(private readonly directory: DirectoryRepository) {}

  @EventPattern(OrganizationCreated)
  async organizationCreated(
    @Payload() e: EventOf<typeof OrganizationCreated>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.directory.saveOrganization(ctx.tx, e.payload, new Date(e.occurredAt));
  }

  @EventPattern(OrganizationUpdated)
  async organizationUpdated(
    @Payload() e: EventOf<typeof OrganizationUpdated>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.directory.saveOrganization(ctx.tx, e.payload, new Date(e.occurredAt));
  }

  @EventPattern(WorkspaceCreated)
  async workspaceCreated(
    @Payload() e: EventOf<typeof WorkspaceCreated>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.directory.saveWorkspace(ctx.tx, e.payload, new Date(e.occurredAt));
  }

  @EventPattern(WorkspaceUpdated)
  async workspaceUpdated(
    @Payload() e: EventOf<typeof WorkspaceUpdated>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.directory.saveWorkspace(ctx.tx, e.payload, new Date(e.occurredAt));
  }

  @EventPattern(UserCreated)
  async userCreated(@Payload() e: EventOf<typeof UserCreated>, @Ctx() ctx: EventContext): Promise<void> {
    await this.directory.saveUser(ctx.tx, e.payload, new Date(e.occurredAt));
  }

  @EventPattern(UserUpdated)
  async userUpdated(@Payload() e: EventOf<typeof UserUpdated>, @Ctx() ctx: EventContext): Promise<void> {
    await this.directory.saveUser(ctx.tx, e.payload, new Date(e.occurredAt));
  }

  @EventPattern(UserRemoved)
  async userRemoved(@Payload() e: EventOf<typeof UserRemoved>, @Ctx() ctx: EventContext): Promise<void> {
    await this.directory.removeUser(ctx.tx, e.payload, new Date(e.occurredAt));
  }
}
