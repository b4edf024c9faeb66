import { it } from 'vitest';
import { startTestGateway } from '../support/gateway.js';
import { netSmppSendMo } from '../support/netsmpp.js';
import { spawn } from 'node:child_process';
it('scratch', async () => {
  const t = await startTestGateway();
  await t.addLink('perlsmsc', 'secret1');
  const ts = spawn('tshark', ['-i', 'lo', '-f', `tcp port ${t.gw.smppPort}`, '-w', '/tmp/scratch.pcapng'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1500));
  const LONG_RU = 'Здравствуйте! Подскажите, пожалуйста, как включить архив сообщений и где потом смотреть старые СМС? Пароль не приходит уже второй день, а на сайте пишут обратиться на номер 232. Спасибо!';
  for (const o of [
    { text: 'ON', coding: 'gsm7' as const },
    { text: LONG_RU, coding: 'ucs2' as const, concat: 'udh16' as const, parts: 3, ref: 0xa1b2, order: [3, 1, 2, 1] },
    { text: LONG_RU, coding: 'ucs2' as const, concat: 'sar' as const, parts: 3, ref: 0x42, order: [2, 2, 3, 1] },
    { text: LONG_RU, coding: 'ucs2' as const, concat: 'payload' as const },
  ]) {
    const run = await netSmppSendMo(t.gw.smppPort, 'perlsmsc', 'secret1', { from: '79035550009', to: '232', replies: 1, linger: 0.5, ...o });
    console.log(run.events.map((e) => JSON.stringify(e)).join('\n'), run.stderr, run.ms);
  }
  await new Promise((r) => setTimeout(r, 500));
  ts.kill('SIGINT');
  await new Promise((r) => ts.on('close', r));
  await t.stop();
}, 60000);
