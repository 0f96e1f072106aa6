import type { GatewayConfig } from '@mysaas/config';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export type { GatewayConfig };
