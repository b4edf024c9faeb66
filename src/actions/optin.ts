import { optAction } from './opt-scope.js';

/** `optin` (issue 11): undoes optout for the route's scope; `{"scope":"global"}` clears every opt-out of the number. */
export const optin = optAction('optin', false);
