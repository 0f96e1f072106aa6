import type { ControlPlaneConfig } from '@mysaas/config';

export const CONTROL_PLANE_CONFIG = Symbol('CONTROL_PLANE_CONFIG');
export type { ControlPlaneConfig };
