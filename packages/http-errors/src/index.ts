export {
  describeHttpException,
  INTERNAL_ERROR,
  safeRequestId,
  type ErrorBody,
  type ErrorDescription,
} from './error-body';
export { RequestValidationException, strictValidationPipe } from './request-validation';
