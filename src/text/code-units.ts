/** Builds strings from UTF-16 code units in chunks, so long messages stay under the engine's argument limit. */

const CHUNK = 0x2000;

/** UTF-16 code units (each 0..0xFFFF) → string; lone surrogates are kept as they are. */
export function stringFromCodeUnits(units: Uint16Array | Uint8Array | number[]): string {
  let out = '';
  for (let i = 0; i < units.length; i += CHUNK) {
    out += String.fromCharCode(...units.slice(i, i + CHUNK));
  }
  return out;
}
