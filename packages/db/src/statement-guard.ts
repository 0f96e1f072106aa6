/**
 * A second line behind Postgres's own: statements sent inside a tenant transaction that
 * could leave it (switch role, end the transaction, change the session) are refused before
 * they reach the server. Postgres cannot refuse `SET ROLE t_other` to the pool's login,
 * which is a member of every tenant role; this can, for the statements a module's string
 * SQL (or an injection into it) would send. It reads SQL with a small lexer that knows
 * comments, quoted strings, quoted identifiers and dollar quoting, so a keyword hidden in a
 * comment or a string neither trips it nor slips past it.
 */
export class TenantStatementRefusedError extends Error {
  constructor(readonly reason: string, readonly statement: string) {
    super(`statement refused in a tenant transaction: ${reason}`);
    this.name = 'TenantStatementRefusedError';
  }
}

interface Token {
  kind: 'word' | 'quoted' | 'punct';
  /** Words and quoted identifiers lower-cased; punctuation as is. */
  value: string;
}

/** Settings the platform owns for the length of a tenant transaction. */
const PLATFORM_SETTINGS = new Set(['role', 'session_authorization', 'search_path', 'statement_timeout']);

const TRANSACTION_CONTROL = new Set(['begin', 'start', 'commit', 'end', 'abort']);

/** Definitions and privileges belong to migrations, which are reviewed; never to a request. */
const SCHEMA_CHANGES = new Set(['create', 'alter', 'drop', 'grant', 'revoke', 'comment', 'security', 'reassign', 'import']);

/** Functions that change settings (including the role) from inside an ordinary query. */
const SETTING_FUNCTIONS = new Set(['set_config']);

/** The reason `sql` may not run in a tenant transaction, or undefined when it may. */
export function refusalOf(sql: string): string | undefined {
  for (const statement of statements(sql)) {
    const reason = refusalOfStatement(statement);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/**
 * Verdicts on the statements seen lately. ORM-built SQL repeats (values travel as parameters),
 * so most statements are read once; lexing each one again was about 6% of an app server's CPU
 * per request. Bounded: past the limit it starts over, so SQL with inlined values cannot grow it.
 */
const verdicts = new Map<string, string | null>();
const MAX_REMEMBERED = 2_000;
/** Longer SQL is read every time: a bulk insert's text is rarely sent twice. */
const MAX_REMEMBERED_LENGTH = 4_000;

export function assertTenantStatement(sql: string): void {
  let reason = verdicts.get(sql);
  if (reason === undefined) {
    reason = refusalOf(sql) ?? null;
    if (sql.length <= MAX_REMEMBERED_LENGTH) {
      if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
      verdicts.set(sql, reason);
    }
  }
  if (reason !== null) throw new TenantStatementRefusedError(reason, sql.slice(0, 200));
}

function refusalOfStatement(tokens: Token[]): string | undefined {
  for (const [i, token] of tokens.entries()) {
    if (token.kind !== 'punct' && SETTING_FUNCTIONS.has(token.value) && tokens[i + 1]?.value === '(') {
      return `${token.value}() changes settings, the role among them; use SET LOCAL for a transaction-scoped setting`;
    }
  }
  const [first, second, third] = tokens.map((t) => (t.kind === 'punct' ? t.value : t.value));
  if (first === undefined || tokens[0]!.kind !== 'word') return undefined;
  switch (first) {
    case 'set':
      if (second === 'transaction' || second === 'constraints') return undefined;
      if (second === 'local') {
        const name = third === 'session' ? 'session_authorization' : third === 'time' ? 'timezone' : third;
        return name !== undefined && PLATFORM_SETTINGS.has(name)
          ? `${name} is set by the platform for the tenant's transaction and may not be changed`
          : undefined;
      }
      return 'SET without LOCAL outlives the transaction on a pooled connection; use SET LOCAL';
    case 'reset':
      return 'RESET returns a setting (the role among them) to the connection default; use SET LOCAL';
    case 'discard':
      return 'DISCARD resets the connection, the role among them; the platform does that itself';
    case 'do':
      return 'DO runs code that could change the role or end the transaction; put it in a migration';
    case 'rollback':
      return second === 'to' ? undefined : 'the platform ends the transaction; use a savepoint for partial rollback';
    case 'prepare':
      return second === 'transaction' ? 'the platform ends the transaction; two-phase commit is not available' : undefined;
    default:
      if (TRANSACTION_CONTROL.has(first)) return 'the platform begins and ends the transaction; use a savepoint for nesting';
      if (SCHEMA_CHANGES.has(first)) return `${first.toUpperCase()} changes definitions or privileges; put it in a migration`;
      return undefined;
  }
}

/** Splits SQL into statements of tokens, skipping comments and the contents of strings. */
function statements(sql: string): Token[][] {
  const all: Token[][] = [];
  let current: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === "'") {
      i = skipQuoted(sql, i, "'", false);
      current.push({ kind: 'punct', value: "'" });
    } else if (c === '"') {
      const end = skipQuoted(sql, i, '"', false);
      current.push({ kind: 'quoted', value: sql.slice(i + 1, end - 1).replaceAll('""', '"').toLowerCase() });
      i = end;
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '')) {
      i = skipDollarQuoted(sql, i);
      current.push({ kind: 'punct', value: "'" });
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let end = i + 1;
      while (end < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[end]!)) end++;
      const word = sql.slice(i, end);
      if ((word === 'e' || word === 'E') && sql[end] === "'") {
        i = skipQuoted(sql, end, "'", true);
        current.push({ kind: 'punct', value: "'" });
      } else {
        current.push({ kind: 'word', value: word.toLowerCase() });
        i = end;
      }
    } else if (c === ';') {
      if (current.length > 0) all.push(current);
      current = [];
      i++;
    } else {
      current.push({ kind: 'punct', value: c });
      i++;
    }
  }
  if (current.length > 0) all.push(current);
  return all;
}

/** Index after a quoted run starting at `start`; a doubled quote is part of it. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** `$tag$ ... $tag$`; a `$` not opening a valid tag is plain punctuation. */
function skipDollarQuoted(sql: string, start: number): number {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(start));
  if (match === null) return start + 1;
  const tag = match[0];
  const end = sql.indexOf(tag, start + tag.length);
  return end === -1 ? sql.length : end + tag.length;
}
