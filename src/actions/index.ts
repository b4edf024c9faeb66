/**
 * actions/: one file per SPEC service. An action takes a transaction and a routed message and returns
 * replies; it never sends anything itself (replies go through the outbox) and never imports bullmq, smpp/ or web/.
 */
import { accountAlert } from './account-alert.js';
import { appForward } from './app-forward.js';
import { accountPassword } from './account-password.js';
import { archiveActivate } from './archive-activate.js';
import { archiveDeactivate } from './archive-deactivate.js';
import { help } from './help.js';
import { localeSet } from './locale-set.js';
import { mmsNotify } from './mms-notify.js';
import { mmsSettings } from './mms-settings.js';
import { optin } from './optin.js';
import { optout } from './optout.js';
import type { Action } from './types.js';

export const ACTIONS: ReadonlyMap<string, Action<any>> = new Map<string, Action<any>>([
  [archiveActivate.name, archiveActivate],
  [archiveDeactivate.name, archiveDeactivate],
  [accountPassword.name, accountPassword],
  [mmsSettings.name, mmsSettings],
  [help.name, help],
  [optout.name, optout],
  [optin.name, optin],
  [localeSet.name, localeSet],
  [appForward.name, appForward],
  // Web-originated (their params come from the web and the MMS API); registered so their templates validate.
  [mmsNotify.name, mmsNotify],
  [accountAlert.name, accountAlert],
]);

export type { Action, ActionDeps, ActionMessage, Reply, Channel, Locale } from './types.js';
export { maskForArchive, PASSWORD_MASK } from './archive-mask.js';
export { APP_FORWARD, APP_FALLBACK_TEMPLATE } from './app-forward.js';
export { clearOperations } from './operations-clear.js';
export { hashPassword, verifyPassword, passwordGenerator, createIssuedCounts, PASSWORD_ALPHABET } from './passwords.js';
