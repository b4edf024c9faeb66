/** Fleet control: `scgw link suspend|resume NAME`, `scgw session kick ID`, `scgw node drain ID` (ids from `scgw status`). */
import type { Command } from 'commander';
import type { DrainResult, KickResult, LinkSuspension } from '../../web/admin/schemas.js';
import { api, output, seg, type Globals } from '../api.js';

export function registerFleetCommands(program: Command, globals: Globals) {
  const link = program.commands.find((c) => c.name() === 'link') ?? program.command('link');
  link.command('suspend <name>').description('on every node: refuse the link\'s MO (ESME_RTHROTTLED) and hold its replies until resume').action(async (name: string) => {
    const r = await api<LinkSuspension>(globals(), 'POST', `/admin/links/${seg(name)}/suspend`);
    output(globals().json, r, () => `link ${r.link} suspended (by ${r.suspended?.by}, since ${r.suspended?.at}); held replies flow after: scgw link resume ${r.link}`);
  });
  link.command('resume <name>').description('take the link\'s MO again and send its held replies').action(async (name: string) => {
    const r = await api<LinkSuspension>(globals(), 'POST', `/admin/links/${seg(name)}/resume`);
    output(globals().json, r, () => `link ${r.link} resumed`);
  });
  program.command('session').description('live binds (ids from scgw status)')
    .command('kick <id>').description('close one live bind, on whichever node holds it').action(async (id: string) => {
      const r = await api<KickResult>(globals(), 'POST', `/admin/sessions/${seg(id)}/kick`);
      output(globals().json, r, () => `session ${r.session} on ${r.node}: unbinding`);
    });
  program.command('node').description('gateway processes (ids from scgw status)')
    .command('drain <id>').description('stop taking binds, finish in-flight work, exit 0').action(async (id: string) => {
      const r = await api<DrainResult>(globals(), 'POST', `/admin/nodes/${seg(id)}/drain`);
      output(globals().json, r, () => `node ${r.node} draining: it unbinds its peers, finishes in-flight work and exits`);
    });
}
