import {
  OrganizationCreated,
  OrganizationUpdated,
  WorkspaceCreated,
  WorkspaceUpdated,
} from '@leadflow/contracts';
import { ConsumerRunner, on } from '@leadflow/platform/messaging';
import type { OnModuleInit } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { DirectoryRepository } from './directory.repository';

/** Keeps the local copies of organizations (plan, quotas) and workspaces from identity's events. */
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
    ]);
  }
}
