import type { AppServerConfig } from '@mysaas/config';

/** Injection token of the app server's validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export type { AppServerConfig };
