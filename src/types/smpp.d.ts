/**
 * The part of node-smpp 0.5.1 (CommonJS, no types of its own) that src/smpp/pdu.ts uses: the PDU codec and the
 * command/TLV tables. Nothing else in scgw imports 'smpp'.
 */
declare module 'smpp' {
  interface FieldType {
    read(buffer: Buffer, offset: number, length?: number): unknown;
    write(value: unknown, buffer: Buffer, offset: number): void;
    size(value: unknown): number;
    default: unknown;
  }

  interface Filter {
    encode(this: unknown, value: unknown, skipUdh?: unknown): unknown;
    decode(this: unknown, value: unknown, skipUdh?: unknown): unknown;
  }

  interface ParamDef {
    type: FieldType;
    default?: unknown;
    filter?: Filter;
  }

  interface CommandDef {
    id: number;
    command: string;
    params?: Record<string, ParamDef>;
    tlvMap?: Record<string, string>;
  }

  interface TlvDef {
    id: number;
    type: FieldType;
    tag: string;
    filter?: Filter;
    multiple?: boolean;
  }

  class PDU {
    /** Encode side: fields by node-smpp name; a non-zero command_status makes a header-only PDU. */
    constructor(command: string, options?: Record<string, unknown>);
    /** Decode side: one whole PDU. Throws on some malformed bodies (TLV past the end, bad relative time). */
    constructor(buffer: Buffer);
    static maxLength: number;
    command: string;
    command_length: number;
    command_id: number;
    command_status: number;
    sequence_number: number;
    isResponse(): boolean;
    toBuffer(): Buffer;
    [field: string]: unknown;
  }

  interface Smpp {
    PDU: typeof PDU;
    commands: Record<string, CommandDef | undefined>;
    commandsById: Record<number, CommandDef | undefined>;
    tlvs: Record<string, TlvDef | undefined>;
    tlvsById: Record<number, TlvDef | undefined>;
    types: { tlv: Record<'int8' | 'int16' | 'int32' | 'cstring' | 'string' | 'buffer', FieldType> };
    addTLV(tag: string, options: { id: number; type: FieldType; multiple?: boolean }): void;
  }

  const smpp: Smpp;
  export = smpp;
}
