export { testRedisUrl, testServerUrl, withUrlParts } from './test-server';
export { createTestDatabase, randomSuffix, type TestDatabase } from './test-database';
export { createTestPlatform, type TestPlatform } from './test-platform';
export { createTenant, uniqueSlug, type CreateTenantOptions, type TestTenant } from './factories';
export { gatewayHeaders } from './tenant-context';
export { cookieFrom, http, type HttpRequest, type HttpResponse } from './http-client';
export { rawHttp, startRecordingServer, type RawResponse, type RecordedRequest, type RecordingServer } from './raw-http';
export { eventually } from './eventually';
export { singleConnectionTenantDatabase } from './single-connection';
