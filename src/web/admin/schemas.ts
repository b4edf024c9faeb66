/**
 * Admin API request/response shapes (zod). The CLI imports this file for types and validation only.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const cidr = z.string().refine((s) => {
  const [addr, bits, extra] = s.split('/');
  if (extra !== undefined || !addr) return false;
  const v = isIP(addr);
  if (!v) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (v === 4 ? 32 : 128);
}, { message: 'must be an IP address or CIDR range such as 10.0.0.0/8' });

export const linkName = z.string().regex(/^[A-Za-z0-9_-]{1,15}$/, 'link names are 1–15 letters, digits, _ or - (the SMPP system_id, SMPP 3.4 §5.2.1)');

export const linkCreate = z.object({
  name: linkName,
  // SMPP 3.4 §4.1.1: password is a C-octet string of at most 9 octets, so 8 characters.
  password: z.string().min(1).max(8, 'SMPP 3.4 bind passwords are at most 8 characters'),
  allowedSources: z.array(cidr).default([]),
  ratePerSecond: z.number().int().min(1).max(100_000).default(100),
  window: z.number().int().min(1).max(1000).default(10),
  allowBinary: z.boolean().default(false),
  archiveFeed: z.boolean().default(false),
  dc0: z.enum(['gsm7', 'latin1']).default('gsm7'),
  gsm7Packed: z.boolean().default(false),
  concat: z.enum(['udh8', 'udh16', 'sar', 'payload']).default('udh8'),
}).strict();
export type LinkCreate = z.input<typeof linkCreate>;

export const linkView = z.object({
  name: z.string(),
  allowedSources: z.array(z.string()),
  direction: z.string(),
  ratePerSecond: z.number(),
  window: z.number(),
  allowBinary: z.boolean(),
  archiveFeed: z.boolean(),
  dc0: z.string(),
  gsm7Packed: z.boolean(),
  concat: z.string(),
  enabled: z.boolean(),
  bound: z.number().optional(),
  createdAt: z.string(),
});
export type LinkView = z.infer<typeof linkView>;

export const errorBody = z.object({ code: z.string(), message: z.string() });
export type ErrorBody = z.infer<typeof errorBody>;
