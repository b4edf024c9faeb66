/**
 * web/api/: machine-to-machine endpoints that are not the operator's admin API: `POST /api/mms` for the MMSC.
 * Token-authenticated per endpoint; never imports bullmq or smpp/.
 */
export { registerMmsApi } from './mms.js';
export { registerSendApi, type SendApiDeps } from './send.js';
