import { z } from 'zod';
import { logOperation } from './oplog.js';
import type { Action } from './types.js';

const params = z.object({
  apn: z.string().min(1),
  mmsc: z.string().min(1),
  proxy: z.string().min(1),
  port: z.number().int().min(1).max(65535),
}).passthrough();

/**
 * 1234, any text: the phone's MMS settings as text.
 * TODO(#4): the OMA Client Provisioning WAP push (PROTOCOL.md §6) for links that allow binary.
 */
export const mmsSettings: Action<z.infer<typeof params>> = {
  name: 'mms.settings',
  params,
  placeholders: { 'mms.settings': ['apn', 'mmsc', 'proxy', 'port'] },
  async run(tx, msg, p, deps) {
    await logOperation(tx, msg, 'mms.settings', 'ok', deps.now());
    return [{ template: 'mms.settings', text: deps.render('mms.settings', msg.locale, { apn: p.apn, mmsc: p.mmsc, proxy: p.proxy, port: p.port }) }];
  },
};
