/**
 * The one reading of a request target the gateway acts on. Only the origin form of RFC 9112
 * §3.2.1 (`/path?query`) is accepted; the path is normalised once, and that normalised path
 * is what routing, the session rule and the upstream all see. Anything that could make a
 * path look like an authority (`//host`, `\`, encoded slashes) is refused rather than
 * repaired, because another parser downstream might repair it differently.
 */
export type RequestTarget = { ok: true; path: string; query: string } | { ok: false; reason: string };

const UNRESERVED = /[A-Za-z0-9\-._~]/;

export function parseRequestTarget(raw: string | undefined): RequestTarget {
  if (raw === undefined || raw === '') return refuse('the request target is empty; send a path such as /login');
  if (raw === '*') return refuse('the asterisk form (OPTIONS *) is not served here; send a path such as /login');
  if (!raw.startsWith('/')) {
    return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(raw)
      ? refuse('absolute-form request targets (scheme://host/path) are not accepted; send only the path, such as /login')
      : refuse('the request target must be a path starting with "/"');
  }
  if (raw.includes('#')) return refuse('the request target contains a fragment (#); fragments stay in the browser');
  const mark = raw.indexOf('?');
  const rawPath = mark === -1 ? raw : raw.slice(0, mark);
  const query = mark === -1 ? '' : raw.slice(mark);
  if (rawPath.startsWith('//')) return refuse('a path starting with "//" reads as a host name; send a single leading "/"');
  if (rawPath.includes('\\')) return refuse('the path contains a backslash, which URL parsers read as "/"; encode it or remove it');

  const decoded = decodeUnreserved(rawPath);
  if (!decoded.ok) return decoded;
  const path = removeDotSegments(decoded.path.replace(/\/{2,}/g, '/'));
  return { ok: true, path, query };
}

/**
 * Decodes percent-encoded unreserved characters (RFC 3986 §6.2.2.2), so `/%61pi` and `/%2e%2e/`
 * are judged as `/api` and `/../`. Encoded slashes, backslashes and NUL are refused: they
 * mean one thing to a router that decodes before splitting and another to one that does not.
 * Other escapes are kept, with upper-case hex.
 */
function decodeUnreserved(path: string): { ok: true; path: string } | { ok: false; reason: string } {
  if (!path.includes('%')) return { ok: true, path };
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!;
    if (char !== '%') {
      out += char;
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return refuse(`the path has a malformed percent-escape "${path.slice(i, i + 3)}"`);
    const decoded = String.fromCharCode(parseInt(hex, 16));
    if (decoded === '/' || decoded === '\\') return refuse('the path contains an encoded slash (%2F or %5C); send a plain "/" or none');
    if (decoded === '\0') return refuse('the path contains an encoded NUL (%00)');
    out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
    i += 2;
  }
  return { ok: true, path: out };
}

/** RFC 3986 §5.2.4, on a path that starts with "/": `.` goes, `..` removes its parent, never above the root. */
function removeDotSegments(path: string): string {
  const segments = path.split('/').slice(1);
  const out: string[] = [];
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(segment);
  }
  return `/${out.join('/')}`;
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
