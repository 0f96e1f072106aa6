import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { listenForNotifications, type NotificationListener } from '@mysaas/db/notifications';
import { decodeRoutingChange, ROUTING_CHANNEL } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { TenantResolver } from './tenant-resolver.service';

/**
 * LISTENs for the control plane's routing announcements (RoutingChange) and evicts what they
 * name: one tenant, or everything for a pool's change or one it cannot read. Each time it
 * starts listening (again, after a lost connection) it clears the whole cache, since
 * announcements made while it was away are gone.
 */
@Injectable()
export class RoutingListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RoutingListener');
  private listener: NotificationListener | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly resolver: TenantResolver,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.listener = listenForNotifications({
      url: this.config.routing.databaseUrl,
      channel: ROUTING_CHANNEL,
      applicationName: 'mysaas-gateway-listener',
      onNotification: (payload) => {
        const change = decodeRoutingChange(payload);
        // A pool's change touches all its tenants; one we cannot read, anything: drop it all.
        if (change?.kind === 'tenant') this.resolver.evict(change.slug);
        else this.resolver.clear();
      },
      onListening: () => this.resolver.clear(),
      onLost: (error, retryInMs) =>
        this.logger.warn(`routing announcements lost (${error instanceof Error ? error.message : 'connection ended'}); retrying in ${retryInMs} ms`),
    });
    await this.listener.ready;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }
}
