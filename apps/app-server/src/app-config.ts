import type { AppServerConfig } from '@mysaas/config';

/** Injection token of the app server's validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export type { AppServerConfig };

/** Injection token of the app server's logger, metrics registry and hooks. */
export const OBSERVABILITY = Symbol('OBSERVABILITY');
