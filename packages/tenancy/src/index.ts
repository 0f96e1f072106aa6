export {
  checkTenantSlug,
  InvalidTenantSlugError,
  MAX_SLUG_LENGTH,
  parseTenantSlug,
  RESERVED_SLUGS,
  SLUG_PATTERN,
  type SlugCheck,
  type TenantSlug,
} from './slug';
export { tenantRoleName, tenantSchemaName } from './names';
export { resolveTenantHost, type HostResolution } from './host';
export {
  isRecord,
  MIN_SECRET_LENGTH,
  SignedTokenCodec,
  type TimedClaims,
  type TokenCheck,
  type TokenFailure,
} from './signed-token';
export {
  PLATFORM_HEADER_PREFIX,
  REQUEST_ID_HEADER,
  SIGNIN_RESULT_HEADER,
  type SignInResult,
  TENANT_CONTEXT_HEADER,
  TENANT_CONTEXT_TTL_SECONDS,
  TenantContextSigner,
  type TenantContextClaims,
  type TenantContextInput,
  type TenantRef,
} from './tenant-context';
export { checkUpstream, parseUpstream, type UpstreamCheck, type UpstreamOrigin } from './upstream';
export {
  isPoolName,
  isPoolStatus,
  isTenantStatus,
  POOL_NAME_PATTERN,
  POOL_NAME_RULE,
  POOL_STATUSES,
  poolAcceptsTenants,
  poolServesRequests,
  TENANT_STATUSES,
  type PoolStatus,
  type TenantStatus,
} from './platform-status';
export { BULK_UPLOAD_ROUTE, isBulkUpload } from './bulk-uploads';
export { decodeRoutingChange, encodeRoutingChange, ROUTING_CHANNEL, type RoutingChange } from './routing-change';
export {
  isMoveClosed,
  isMoveState,
  MOVE_CLOSED_STATES,
  MOVE_METHODS,
  MOVE_RUNNING_STATES,
  MOVE_STATES,
  isRolloutState,
  ROLLOUT_STATES,
  type MoveMethod,
  type MoveState,
  type RolloutState,
} from './tenant-moves';
