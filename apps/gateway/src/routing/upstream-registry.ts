import { Injectable } from '@nestjs/common';
import { GatewayEnv, upstreamUrls } from '../config/env.schema';
import type { UpstreamService } from './route-table';
import { UPSTREAM_SERVICES } from './route-table';

/** Where each upstream service is reached (its base URL from the settings). */
@Injectable()
export class UpstreamRegistry {
  private readonly urls: Record<UpstreamService, string>;

  constructor(env: GatewayEnv) {
    this.urls = upstreamUrls(env);
  }

  url(service: UpstreamService): string {
    return this.urls[service];
  }

  all(): { service: UpstreamService; url: string }[] {
    return UPSTREAM_SERVICES.map((service) => ({ service, url: this.urls[service] }));
  }
}
