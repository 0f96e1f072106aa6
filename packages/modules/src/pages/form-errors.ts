import { JobQueueExceptionCode } from '@mysaas/tenant-runtime';
import { LinkExceptionCode } from '../links/links.exception';
import { MAX_IMPORT_ROWS } from '../links/link-imports.service';
import { MAX_URL_LENGTH } from '../links/link-target';

// Pages take an error *code* from the query string and show a fixed message for it: free
// text would let anyone send a link that makes the tenant's own page say anything. Maps, not
// plain objects, so ?error=__proto__ or constructor is just an unknown code.

const LOGIN_ERRORS: ReadonlyMap<string, string> = new Map([['credentials', 'Email or password is incorrect.']]);

const LINK_ERRORS_BY_CODE: Record<LinkExceptionCode, string> = {
  [LinkExceptionCode.INVALID_URL]:
    `The target must be a full http:// or https:// address such as https://example.com/launch, ` +
    `without a user name or password, at most ${MAX_URL_LENGTH} characters.`,
  [LinkExceptionCode.INVALID_CODE]:
    'A short code is 3 to 32 letters, digits, "-" or "_", such as spring-sale. Leave it empty to get one made for you.',
  [LinkExceptionCode.CODE_TAKEN]:
    'That short code is already used by another link. Choose another, or leave it empty to get one made for you.',
  [LinkExceptionCode.CODE_SPACE_EXHAUSTED]: 'No free short code could be found. Please try again.',
  [LinkExceptionCode.IMPORT_EMPTY]: 'Paste at least one line to import: a URL, or a URL, a comma and a short code.',
  [LinkExceptionCode.IMPORT_TOO_LARGE]: `An import takes at most ${MAX_IMPORT_ROWS.toLocaleString('en')} lines. Split the list into several imports.`,
  [LinkExceptionCode.IMPORT_MALFORMED]: 'The import could not be read. Paste one link per line: a URL, or a URL, a comma and a short code.',
  [LinkExceptionCode.IMPORT_INVALID_ID]: 'That import does not exist.',
  [LinkExceptionCode.IMPORT_NOT_FOUND]: 'That import does not exist.',
  [LinkExceptionCode.NEEDS_NEWER_RELEASE]: 'Titles and tags are not available for this workspace yet.',
  [LinkExceptionCode.INVALID_DETAILS]: 'A title is 1 to 200 characters; a link takes up to 20 tags of lower-case letters, digits and hyphens.',
};

/** An import the job service refused (the page's form, like the API, queues nothing then). */
const JOB_ERRORS_BY_CODE: Record<JobQueueExceptionCode, string> = {
  [JobQueueExceptionCode.BACKLOG_FULL]: 'Too much background work is waiting for this workspace. Try the import again in a few minutes.',
  [JobQueueExceptionCode.NOT_CONFIGURED]: 'Imports are not available on this server right now.',
};

const LINK_ERRORS: ReadonlyMap<string, string> = new Map([...Object.entries(LINK_ERRORS_BY_CODE), ...Object.entries(JOB_ERRORS_BY_CODE)]);

/** The sign-in page's message for `?error=`; undefined for anything but a known code. */
export function loginErrorMessage(code: unknown): string | undefined {
  return typeof code === 'string' ? LOGIN_ERRORS.get(code) : undefined;
}

/** The links page's message for `?error=<LinkExceptionCode | JobQueueExceptionCode>`; undefined for anything else. */
export function linkErrorMessage(code: unknown): string | undefined {
  return typeof code === 'string' ? LINK_ERRORS.get(code) : undefined;
}
