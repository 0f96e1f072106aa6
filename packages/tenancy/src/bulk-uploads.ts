/**
 * Bulk uploads (a link import of up to 10,000 rows) need bodies far larger than an ordinary
 * API call, which stays small (a bounded body is a bounded parse). One rule for the gateway
 * and the app server, so neither admits what the other refuses: `POST /api/<module>/…/imports`
 * is a bulk upload. A module gets the larger limit by naming its upload route so.
 */
const BULK_UPLOAD_PATH = /^\/api\/[a-z0-9-]+(?:\/[a-z0-9-]+)*\/imports\/?$/;

export function isBulkUpload(method: string | undefined, path: string): boolean {
  if (method !== 'POST') return false;
  const query = path.indexOf('?');
  return BULK_UPLOAD_PATH.test(query === -1 ? path : path.slice(0, query));
}

/** The pattern, for mounting a body parser on those paths (Express matches it against the path alone). */
export const BULK_UPLOAD_ROUTE = BULK_UPLOAD_PATH;
