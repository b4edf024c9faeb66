/**
 * The pino `err` serializer: an error as type, message, stack and the few fields that say what failed,
 * never the values a query was bound with. drizzle's DrizzleQueryError puts every parameter in its message
 * ("Failed query: <sql>\nparams: 7916…,Your password: …") and in `params`; PostgreSQL's `detail` repeats
 * row values ("Key (msisdn)=(7916…) already exists"). What is kept: the SQL text, the SQLSTATE `code`,
 * and the table, column and constraint names (postgres.js spells them `table_name`, PGlite `table`).
 * Fields are copied by allow-list, so a new driver field cannot leak by default.
 */

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  code?: string | number;
  table?: string;
  column?: string;
  constraint?: string;
  severity?: string;
  /** SQL text of a failed query, without its parameters. */
  query?: string;
  cause?: SerializedError;
}

const MAX_CAUSES = 4;

export function serializeError(e: unknown, depth = 0): SerializedError | unknown {
  if (typeof e === 'string') return withoutParams(e);
  if (typeof e !== 'object' || e === null) return e;
  const err = e as Record<string, unknown>;
  const type = err.constructor?.name && err.constructor.name !== 'Object' ? err.constructor.name : String(err['name'] ?? 'Error');
  const query = isFailedQuery(err) ? err['query'] as string : undefined;
  const message = safeMessage(err, query);
  const out: SerializedError = { type, message };
  const frames = typeof err['stack'] === 'string' ? stackFrames(err['stack']) : '';
  if (frames) out.stack = `${type}: ${message}\n${frames}`;
  if (query !== undefined) out.query = query;
  if (typeof err['code'] === 'string' || typeof err['code'] === 'number') out.code = err['code'];
  const table = str(err['table_name'] ?? err['table']);
  const column = str(err['column_name'] ?? err['column']);
  const constraint = str(err['constraint_name'] ?? err['constraint']);
  const severity = str(err['severity']);
  if (table) out.table = table;
  if (column) out.column = column;
  if (constraint) out.constraint = constraint;
  if (severity) out.severity = severity;
  if (err['cause'] !== undefined && depth < MAX_CAUSES) out.cause = serializeError(err['cause'], depth + 1) as SerializedError;
  return out;
}

/** drizzle's DrizzleQueryError (its `name` is plain "Error"): known by its query text and params. */
function isFailedQuery(err: Record<string, unknown>): boolean {
  return typeof err['query'] === 'string' && 'params' in err;
}

function safeMessage(err: Record<string, unknown>, query: string | undefined): string {
  if (query !== undefined) return `Failed query: ${query}`;
  const message = withoutParams(String(err['message'] ?? ''));
  // A PostgreSQL error with a SQLSTATE may end in the offending value: `invalid input syntax for type
  // integer: "7916…"`. Identifiers are quoted too, but never after ": ".
  if (typeof err['severity'] === 'string' || /^[0-9A-Z]{5}$/.test(String(err['code'] ?? ''))) return message.replace(/: ".*"$/s, ': "[value]"');
  return message;
}

/** Any message (a wrapped error's, a string passed as `err`) loses a drizzle "params:" tail. */
function withoutParams(message: string): string {
  const at = message.indexOf('\nparams: ');
  return at === -1 ? message : message.slice(0, at);
}

/** The "    at …" lines only: the first lines of a stack repeat the message, params included. */
function stackFrames(stack: string): string {
  return stack.split('\n').filter((l) => /^\s+at /.test(l)).join('\n');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * For places that store an error's message and stack themselves (BullMQ keeps them in the job's hash): a
 * failed query becomes an Error without its parameters, the original as its `cause` (which the serializer
 * prints safely). Any other error is returned as it is, so BullMQ's own errors keep their meaning.
 */
export function withoutQueryParams(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const err = e as unknown as Record<string, unknown>;
  if (!isFailedQuery(err) && !e.message.includes('\nparams: ')) return e;
  const safe = new Error(safeMessage(err, isFailedQuery(err) ? err['query'] as string : undefined), { cause: e });
  safe.stack = `Error: ${safe.message}\n${stackFrames(e.stack ?? '')}`;
  return safe;
}
