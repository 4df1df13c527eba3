import {
  OrganizationCreated,
  OrganizationUpdated,
  UserCreated,
  UserRemoved,
  UserUpdated,
  WorkspaceCreated,
  WorkspaceUpdated,
} from '@leadflow/contracts';
import { ConsumerRunner, on } from '@leadflow/platform/messaging';
import type { OnModuleInit } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { DirectoryRepository } from './directory.repository';

/** Keeps the local copies of organizations (plan, quotas), workspaces and users from identity's events. */
@Injectable()
export class DirectoryConsumer implements OnModuleInit {
  constructor(
    private readonly runner: ConsumerRunner,
    private readonly directory: DirectoryRepository,
  ) {}

  onModuleInit(): void {
    this.runner.register('directory', [
      on(OrganizationCreated, (e, tx) =>
        this.directory.saveOrganization(tx, e.payload, new Date(e.occurredAt)),
      ),
      on(OrganizationUpdated, (e, tx) =>
        this.directory.saveOrganization(tx, e.payload, new Date(e.occurredAt)),
      ),
      on(WorkspaceCreated, (e, tx) => this.directory.saveWorkspace(tx, e.payload, new Date(e.occurredAt))),
      on(WorkspaceUpdated, (e, tx) => this.directory.saveWorkspace(tx, e.payload, new Date(e.occurredAt))),
      on(UserCreated, (e, tx) => this.directory.saveUser(tx, e.payload, new Date(e.occurredAt))),
      on(UserUpdated, (e, tx) => this.directory.saveUser(tx, e.payload, new Date(e.occurredAt))),
      on(UserRemoved, (e, tx) => this.directory.removeUser(tx, e.payload, new Date(e.occurredAt))),
    ]);
  }
}
