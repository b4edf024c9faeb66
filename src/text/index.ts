/**
 * text/: every character encoding of scgw — GSM-7 (packed and unpacked), IA5, Latin-1, ISO-8859-5,
 * UCS-2, data_coding classification, UDH, MT segmentation, the judge of MO reassembly, and the
 * folding that keyword matching compares (fold.ts).
 * Pure: values in, values out; no I/O, clock, logger or env. It imports nothing of ours.
 */
export * from './gsm7.js';
export * from './latin1.js';
export * from './cyrillic.js';
export * from './ucs2.js';
export * from './data-coding.js';
export * from './udh.js';
export * from './split.js';
export * from './reassemble.js';
export * from './fold.js';
export * from './wap-push.js';
export * from './binary.js';
