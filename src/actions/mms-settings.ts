import { z } from 'zod';
import { encodeMmsProvisioning, wspPush } from '../text/index.js';
import { logOperation } from './oplog.js';
import type { Action, Reply } from './types.js';

const params = z.object({
  apn: z.string().min(1),
  mmsc: z.string().min(1),
  proxy: z.string().min(1),
  port: z.number().int().min(1).max(65535),
}).passthrough();

/**
 * 1234, any text: the phone's MMS settings as text and, where the link allows binary, as an OMA Client
 * Provisioning WAP push (PROTOCOL.md §6; USERPIN 1234, Kannel's default). The push's template name
 * `mms.settings.wap` is not rendered (no template row), so it is not listed in `placeholders`.
 */
export const mmsSettings: Action<z.infer<typeof params>> = {
  name: 'mms.settings',
  params,
  placeholders: { 'mms.settings': ['apn', 'mmsc', 'proxy', 'port'] },
  pure: true,
  async run(tx, msg, p, deps) {
    await logOperation(tx, deps, msg, 'mms.settings', 'ok', deps.now());
    const replies: Reply[] = [{ template: 'mms.settings', text: deps.render('mms.settings', msg.locale, { apn: p.apn, mmsc: p.mmsc, proxy: p.proxy, port: p.port }) }];
    if (msg.allowBinary) {
      const push = wspPush(encodeMmsProvisioning({ apn: p.apn, mmsc: p.mmsc, proxy: p.proxy, port: p.port }));
      replies.push({ template: 'mms.settings.wap', text: '[WAP push: MMS settings]', binary: { kind: 'wap-push', payload: Buffer.from(push).toString('base64') } });
    }
    return replies;
  },
};
