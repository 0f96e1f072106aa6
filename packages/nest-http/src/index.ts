export { createApp, startApp, type AppOptions, type StartedApp } from './bootstrap';
export { CodedError, describeCoded } from './coded-error';
export { describeError, safeRequestId, type ErrorBody, type ErrorDescription } from './error-body';
export { listen } from './listen';
export { answerError, PlatformExceptionFilter, type ErrorAnswering } from './platform-exception.filter';
export { RequestValidationException, strictValidationPipe } from './request-validation';
export { securityHeaders, styleHash } from './security-headers';
export { sendError, type ErrorResponse } from './send-error';
