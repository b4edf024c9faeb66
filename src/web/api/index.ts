/**
 * web/api/: machine-to-machine endpoints that are not the operator's admin API: `POST /api/mms` for the MMSC,
 * `POST /ussd` for USSD aggregators, and the send API for apps (`/api/v1/messages`, send-scoped tokens).
 * Token-authenticated per endpoint; never imports bullmq or smpp/.
 */
export { registerMmsApi } from './mms.js';
export { registerSendApi, type SendApiDeps } from './send.js';
export { registerUssdApi, type UssdHttpDeps } from './ussd.js';
