import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { decodeRoutingChange, ROUTING_CHANNEL } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { TenantResolver } from './tenant-resolver.service';

const MAX_BACKOFF_MS = 10_000;

/**
 * LISTENs for the control plane's routing announcements (RoutingChange) and evicts what they
 * name: one tenant, or everything for a pool's change or one it cannot read. After a lost connection it clears the whole cache,
 * since announcements made while it was away are gone.
 */
@Injectable()
export class RoutingListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RoutingListener');
  private client: Client | undefined;
  private stopped = false;
  private backoffMs = 250;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly resolver: TenantResolver,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.routing.databaseUrl, application_name: 'mysaas-gateway-listener' });
    client.on('notification', (message) => {
      const change = decodeRoutingChange(message.payload ?? '');
      // A pool's change touches all its tenants; one we cannot read, anything: drop it all.
      if (change?.kind === 'tenant') this.resolver.evict(change.slug);
      else this.resolver.clear();
    });
    client.on('error', (error) => this.reconnect(client, error));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${ROUTING_CHANNEL}`);
      this.client = client;
      this.backoffMs = 250;
      this.resolver.clear();
    } catch (error) {
      this.reconnect(client, error);
    }
  }

  private reconnect(client: Client, error?: unknown): void {
    if (this.stopped || (this.client !== undefined && this.client !== client)) return;
    this.client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.retry) return;
    this.logger.warn(`routing announcements lost (${error instanceof Error ? error.message : 'connection ended'}); retrying in ${this.backoffMs} ms`);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}
