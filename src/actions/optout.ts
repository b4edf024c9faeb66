import { optAction } from './opt-scope.js';

/**
 * `optout` (issue 11): the subscriber asks for no more messages from a short code (`{"scope":"global"}`: from any).
 * Stored in opt_outs; MT that start outside the subscriber's own request check it (isOptedOut, POST /api/mms).
 * Not seeded: 232's OFF/STOP/СТОП stays archive.deactivate; operators add optout routes where they want them.
 */
export const optout = optAction('optout', true);
