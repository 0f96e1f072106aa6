export { CodedError, describeCoded } from './coded-error';
export {
  describeOtherError,
  safeRequestId,
  type ErrorBody,
  type ErrorDescription,
} from './error-body';
export { listen } from './listen';
export { RequestValidationException, strictValidationPipe } from './request-validation';
export { sendError, type ErrorResponse } from './send-error';
export { securityHeaders, styleHash } from './security-headers';
