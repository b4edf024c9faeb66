/**
 * web/api/: machine-to-machine endpoints that are not the operator's admin API: `POST /api/mms` for the MMSC and
 * `POST /ussd` for USSD aggregators (issue 11). Token-authenticated per endpoint; never imports bullmq or smpp/.
 */
export { registerMmsApi } from './mms.js';
export { registerUssdApi, type UssdHttpDeps } from './ussd.js';
