/**
 * OMA Client Provisioning by WAP push (PROTOCOL.md §6, §3 "WAP push framing"): the MMS settings as a WBXML
 * provisioning document, wrapped in a WSP Push PDU (USERPIN MAC), split into 8-bit binary SMS segments that
 * each carry the 16-bit application-port IE and the 8-bit concatenation IE.
 * Pure: values in, values out (node:crypto's HMAC is the only import).
 */
import { createHmac } from 'node:crypto';

export interface MmsSettings {
  apn: string;
  mmsc: string;
  proxy: string;
  port: number;
  /** NAPDEF and APPLICATION NAME; default 'MMS'. */
  name?: string;
}

// WBXML globals [WBXML 1.3 §7.1].
const SWITCH_PAGE = 0x00;
const END = 0x01;
const STR_I = 0x03;
// Tags (pages 0 and 1): | 0x40 content, | 0x80 attributes.
const WAP_PROVISIONINGDOC = 0x05;
const CHARACTERISTIC = 0x06;
const PARM = 0x07;
// Attribute starts, page 0.
const A0 = {
  name: 0x05, value: 0x06, NAME: 0x07, NAP_ADDRESS: 0x08, NAP_ADDRTYPE: 0x09, BEARER: 0x10, NAPID: 0x11,
  PROXY_ID: 0x15, PXADDR: 0x20, PXADDRTYPE: 0x21, TO_NAPID: 0x22, PORTNBR: 0x23, PHYSICAL_PROXY_ID: 0x2f,
  VERSION_1_0: 0x46, PXLOGICAL: 0x51, PXPHYSICAL: 0x52, PORT: 0x53, NAPDEF: 0x55,
} as const;
// Attribute starts, page 1.
const A1 = { ADDR: 0x34, APPID: 0x36, TO_PROXY: 0x39, APPLICATION: 0x55 } as const;
// Attribute values, page 0.
const V = { IPV4: 0x85, ALPHA: 0x88, APN: 0x89, GSM_GPRS: 0xab } as const;

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** The WBXML provisioning document (PROTOCOL.md §6 minimal MMS document); `value=` always on page 0, as Kannel does. */
export function encodeMmsProvisioning(settings: MmsSettings): Uint8Array {
  const out: number[] = [0x03, 0x0b, 0x6a, 0x00]; // WBXML 1.3, "-//WAPFORUM//DTD PROV 1.0//EN", UTF-8, no string table
  let page = 0; // the attribute code page
  const utf8 = new TextEncoder();
  const toPage = (p: number) => { if (page !== p) { out.push(SWITCH_PAGE, p); page = p; } };
  const str = (s: string) => { out.push(STR_I, ...utf8.encode(s), 0x00); };
  /** <parm name=… value=…/>: value a string (inline) or a value token. */
  const parm = (namePage: number, nameToken: number, value: string | number) => {
    out.push(PARM | 0x80);
    toPage(namePage);
    out.push(nameToken);
    toPage(0);
    out.push(A0.value);
    if (typeof value === 'number') out.push(value);
    else str(value);
    out.push(END);
  };
  const characteristic = (typePage: number, typeToken: number, body: () => void) => {
    out.push(CHARACTERISTIC | 0xc0);
    toPage(typePage);
    out.push(typeToken, END);
    body();
    out.push(END);
  };

  const name = settings.name ?? 'MMS';
  out.push(WAP_PROVISIONINGDOC | 0xc0, A0.VERSION_1_0, END);
  characteristic(0, A0.PXLOGICAL, () => {
    parm(0, A0.PROXY_ID, 'MMSPROXY');
    parm(0, A0.NAME, 'MMS proxy');
    characteristic(0, A0.PXPHYSICAL, () => {
      parm(0, A0.PHYSICAL_PROXY_ID, 'PX1');
      parm(0, A0.PXADDR, settings.proxy);
      parm(0, A0.PXADDRTYPE, IPV4.test(settings.proxy) ? V.IPV4 : V.ALPHA);
      parm(0, A0.TO_NAPID, 'MMSNAP');
      characteristic(0, A0.PORT, () => parm(0, A0.PORTNBR, String(settings.port)));
    });
  });
  characteristic(0, A0.NAPDEF, () => {
    parm(0, A0.NAPID, 'MMSNAP');
    parm(0, A0.BEARER, V.GSM_GPRS);
    parm(0, A0.NAME, name);
    parm(0, A0.NAP_ADDRESS, settings.apn);
    parm(0, A0.NAP_ADDRTYPE, V.APN);
  });
  characteristic(1, A1.APPLICATION, () => {
    parm(1, A1.APPID, 'w4');
    parm(1, A1.TO_PROXY, 'MMSPROXY');
    parm(0, A0.NAME, name);
    parm(1, A1.ADDR, settings.mmsc);
  });
  out.push(END);
  return Uint8Array.from(out);
}

/** MAC for the SEC parameter: HMAC-SHA1 over the WBXML body, 40 upper-case hex digits [ProvBoot; Kannel ota_prov.c]. */
export function provisioningMac(wbxml: Uint8Array, pin: string): string {
  return createHmac('sha1', Buffer.from(pin, 'ascii')).update(wbxml).digest('hex').toUpperCase();
}

/**
 * The connectionless WSP Push PDU [WSP §8.2.4.1]: TID 01 · 06 Push · HeadersLen 2F · `1F 2D B6 91 81 92 <MAC> 00`
 * (application/vnd.wap.connectivity-wbxml; SEC=USERPIN; MAC) · the WBXML. Kannel's exact header (PROTOCOL.md §6).
 */
export function wspPush(wbxml: Uint8Array, opts: { pin?: string } = {}): Uint8Array {
  const mac = Buffer.from(provisioningMac(wbxml, opts.pin ?? '1234'), 'ascii');
  const contentType = [0xb6, 0x91, 0x81, 0x92, ...mac, 0x00]; // 45 octets
  const headers = [0x1f, contentType.length, ...contentType]; // value-length: 1F + uintvar (45 < 128: one octet)
  return Uint8Array.from([0x01, 0x06, headers.length, ...headers, ...wbxml]);
}

/** Payload octets per segment: 140 − the 12-octet UDH, rounded as Kannel does (PROTOCOL.md §3). */
export const WAP_PUSH_SEGMENT_OCTETS = 128;
/** WDP ports [IANA]: 2948 connectionless WAP push (destination), 9200 connectionless WSP (origin). */
export const WAP_PUSH_DEST_PORT = 0x0b84;
export const WAP_PUSH_ORIG_PORT = 0x23f0;

/**
 * The short_message of each segment: UDH `0B 05 04 0B 84 23 F0 00 03 RR TT SS` then ≤128 payload octets.
 * Every segment carries the port IE, a single one included (total 1, seq 1). More than 255 segments throws.
 */
export function wapPushSegments(payload: Uint8Array, ref: number): Uint8Array[] {
  const total = Math.max(1, Math.ceil(payload.length / WAP_PUSH_SEGMENT_OCTETS));
  if (total > 255) throw new RangeError(`WAP push of ${payload.length} octets needs ${total} segments (max 255)`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < total; i++) {
    const chunk = payload.subarray(i * WAP_PUSH_SEGMENT_OCTETS, (i + 1) * WAP_PUSH_SEGMENT_OCTETS);
    const seg = new Uint8Array(12 + chunk.length);
    seg.set([0x0b, 0x05, 0x04, WAP_PUSH_DEST_PORT >> 8, WAP_PUSH_DEST_PORT & 0xff, WAP_PUSH_ORIG_PORT >> 8, WAP_PUSH_ORIG_PORT & 0xff,
      0x00, 0x03, ref & 0xff, total, i + 1]);
    seg.set(chunk, 12);
    out.push(seg);
  }
  return out;
}
