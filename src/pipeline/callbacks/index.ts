/**
 * pipeline/callbacks/: the send API's receipt callbacks (issue 11 item 3): a durable row per state change in
 * Postgres, a BullMQ `callbacks` queue that POSTs them signed, a poll that enqueues what a crash left behind.
 * Never imports web/ (the send API's routes get callbackUrlProblem through gateway-send.ts).
 */
export { callbackUrlProblem, checkCallbackHost, isPrivateAddress } from './address.js';
export { signCallback } from './sign.js';
export { CALLBACK_QUEUE, createCallbacks, type CallbackBody, type CallbackSettings, type Callbacks } from './worker.js';
