/**
 * `scgw messages`: the operator's message log (issue 11). `search` prints one page (and how to get the next);
 * `export` streams CSV to stdout or --out, with a progress bar on stderr when stderr is a terminal (the share
 * of the time range written so far, taken from the last row's time: rows come oldest first).
 */
import { createWriteStream } from 'node:fs';
import { Transform, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Option, type Command } from 'commander';
import type { MessagePage, MessageView } from '../../web/admin/schemas.js';
import { api, apiStream, CliError, EXIT, output, query, type Globals } from '../api.js';

interface FilterOpts { number?: string; shortCode?: string; link?: string; from?: string; to?: string; state?: string; direction?: string }

/** An ISO instant, or a date (midnight UTC); anything Date.parse reads, sent as ISO with its offset. */
function instant(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(ms)) throw new CliError(`${name}: not a date or time (use ISO 8601, e.g. 2026-11-25 or 2026-11-25T10:00:00Z)`, EXIT.usage);
  return new Date(ms).toISOString();
}

function filterQuery(o: FilterOpts): Record<string, string | undefined> {
  return { number: o.number, shortCode: o.shortCode, link: o.link, from: instant('--from', o.from), to: instant('--to', o.to), state: o.state, direction: o.direction };
}

function filterOptions(cmd: Command): Command {
  return cmd
    .option('--number <msisdn>', 'the subscriber (MO source, MT destination)')
    .option('--short-code <code>', 'MO destination or MT source')
    .option('--link <name>', 'the link it came or went on')
    .option('--from <when>', 'from this instant (inclusive; ISO 8601 or a date)')
    .option('--to <when>', 'until this instant (exclusive)')
    .addOption(new Option('--state <state>', 'MO: acted, blocked; MT: pending, sent, failed').choices(['acted', 'blocked', 'pending', 'sent', 'failed']))
    .addOption(new Option('--direction <d>', 'only MO or only MT').choices(['mo', 'mt']));
}

function line(m: MessageView): string {
  return [m.at, m.direction, m.number ?? '-', m.shortCode ?? '-', m.link ?? '-', m.state ?? '-', m.what ?? '-', m.receipt ?? ''].join('\t');
}

function progressBar(from: number, to: number, out: NodeJS.WriteStream): { row(at: string | undefined): void; done(rows: number): void; rows: number } {
  let shown = 0;
  let lastAt: string | undefined;
  const state = {
    rows: 0,
    row(at: string | undefined) {
      state.rows++;
      if (at) lastAt = at;
      const now = Date.now();
      if (now - shown < 100) return;
      shown = now;
      const t = lastAt ? Date.parse(lastAt) : from;
      const share = Math.max(0, Math.min(1, (t - from) / (to - from)));
      const width = 30;
      out.write(`\r[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}] ${String(Math.round(share * 100)).padStart(3)}% ${state.rows} rows`);
    },
    done(rows: number) { out.write(`\r[${'#'.repeat(30)}] 100% ${rows} rows\n`); },
  };
  return state;
}

export function registerMessageCommands(program: Command, globals: Globals) {
  const messages = program.command('messages').description('the message log: MO and MT by number, short code, link, time and state');

  filterOptions(messages.command('search').description('one page of the log, newest first'))
    .option('--limit <n>', 'rows per page (1-1000, default 50)')
    .option('--cursor <cursor>', 'the page after this one (printed at the end of the previous page)')
    .action(async (o: FilterOpts & { limit?: string; cursor?: string }) => {
      const page = await api<MessagePage>(globals(), 'GET', `/admin/messages${query({ ...filterQuery(o), limit: o.limit, cursor: o.cursor })}`);
      output(globals().json, page, () => [
        ...(page.messages.length ? ['at\tdir\tnumber\tshort code\tlink\tstate\taction/template\treceipt', ...page.messages.map(line)] : ['no messages']),
        ...(page.numbersMasked ? ['(numbers masked: this token does not grant read)'] : []),
        ...(page.next ? [`more: add --cursor ${page.next}`] : []),
      ]);
    });

  filterOptions(messages.command('export').description('the log as CSV, oldest first, streamed (needs --from and --to)'))
    .option('--out <file>', 'write here instead of standard output')
    .action(async (o: FilterOpts & { out?: string }) => {
      if (!o.from || !o.to) throw new CliError('export needs --from and --to', EXIT.usage);
      const q = filterQuery(o);
      const res = await apiStream(globals(), `/admin/messages/export${query(q)}`);
      if (!res.body) throw new CliError('the gateway sent no body');
      const tty = process.stderr.isTTY === true;
      const bar = progressBar(Date.parse(q['from']!), Date.parse(q['to']!), process.stderr);
      let rest = '';
      let header = true;
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          const lines = (rest + chunk.toString('utf8')).split('\r\n');
          rest = lines.pop() ?? '';
          for (const l of lines) {
            if (header) { header = false; continue; }
            if (tty) bar.row(l.split(',')[1]);
            else bar.rows++;
          }
          done(null, chunk);
        },
      });
      const sink: Writable = o.out ? createWriteStream(o.out) : process.stdout;
      await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), count, sink);
      if (tty) bar.done(bar.rows);
      else if (o.out) process.stderr.write(`${bar.rows} rows written to ${o.out}\n`);
    });
}
