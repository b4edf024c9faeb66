/**
 * zod (v3) → JSON Schema (OpenAPI 3.1 dialect) for the shapes schemas.ts uses. No dependency: only the
 * zod types we use are handled, and any other type fails loudly (a test builds the whole document).
 * Schemas named in `components` become `$ref`s wherever they appear, which is also how z.lazy recursion ends.
 */
import type { ZodTypeAny } from 'zod';

export type JsonSchema = Record<string, unknown>;

interface Def { typeName: string; [k: string]: unknown }
interface Check { kind: string; value?: number; regex?: RegExp; inclusive?: boolean }

export function toJsonSchema(schema: ZodTypeAny, components: ReadonlyMap<ZodTypeAny, string> = new Map(), root = true): JsonSchema {
  const named = components.get(schema);
  if (named !== undefined && !root) return { $ref: `#/components/schemas/${named}` };
  const out = convert(schema, (s) => toJsonSchema(s, components, false));
  const description = (schema as { description?: string }).description;
  return description && !out['description'] ? { ...out, description } : out;
}

function convert(schema: ZodTypeAny, sub: (s: ZodTypeAny) => JsonSchema): JsonSchema {
  const def = schema._def as Def;
  switch (def.typeName) {
    case 'ZodString': return stringSchema(def['checks'] as Check[]);
    case 'ZodNumber': return numberSchema(def['checks'] as Check[]);
    case 'ZodBoolean': return { type: 'boolean' };
    case 'ZodNull': return { type: 'null' };
    case 'ZodUnknown':
    case 'ZodAny': return {};
    case 'ZodLiteral': return { const: def['value'] };
    case 'ZodEnum': return { type: 'string', enum: def['values'] };
    case 'ZodArray': {
      const out: JsonSchema = { type: 'array', items: sub(def['type'] as ZodTypeAny) };
      const min = def['minLength'] as { value: number } | null;
      const max = def['maxLength'] as { value: number } | null;
      if (min) out['minItems'] = min.value;
      if (max) out['maxItems'] = max.value;
      return out;
    }
    case 'ZodObject': return objectSchema(def, sub);
    case 'ZodRecord': return { type: 'object', additionalProperties: sub(def['valueType'] as ZodTypeAny) };
    case 'ZodOptional': return sub(def['innerType'] as ZodTypeAny);
    case 'ZodNullable': {
      const inner = sub(def['innerType'] as ZodTypeAny);
      return typeof inner['type'] === 'string' ? { ...inner, type: [inner['type'], 'null'] } : { anyOf: [inner, { type: 'null' }] };
    }
    case 'ZodDefault': return { ...sub(def['innerType'] as ZodTypeAny), default: (def['defaultValue'] as () => unknown)() };
    // refine/superRefine/transform: the checks run in code; the document shows the shape they guard.
    case 'ZodEffects': return sub(def['schema'] as ZodTypeAny);
    case 'ZodLazy': return sub((def['getter'] as () => ZodTypeAny)());
    case 'ZodUnion': return { anyOf: (def['options'] as ZodTypeAny[]).map(sub) };
    default: throw new Error(`json-schema.ts: no conversion for ${def.typeName}; add one`);
  }
}

function stringSchema(checks: Check[]): JsonSchema {
  const out: JsonSchema = { type: 'string' };
  for (const c of checks) {
    if (c.kind === 'min') out['minLength'] = c.value;
    else if (c.kind === 'max') out['maxLength'] = c.value;
    else if (c.kind === 'regex' && c.regex) out['pattern'] = c.regex.source;
    else if (c.kind === 'url') out['format'] = 'uri';
  }
  return out;
}

function numberSchema(checks: Check[]): JsonSchema {
  const out: JsonSchema = { type: 'number' };
  for (const c of checks) {
    if (c.kind === 'int') out['type'] = 'integer';
    else if (c.kind === 'min') out[c.inclusive === false ? 'exclusiveMinimum' : 'minimum'] = c.value;
    else if (c.kind === 'max') out[c.inclusive === false ? 'exclusiveMaximum' : 'maximum'] = c.value;
  }
  return out;
}

function objectSchema(def: Def, sub: (s: ZodTypeAny) => JsonSchema): JsonSchema {
  const shape = (def['shape'] as () => Record<string, ZodTypeAny>)();
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    properties[key] = sub(field);
    // A field with a default may be left out of a request; optional ones may be left out anywhere.
    if (!field.isOptional() && (field._def as Def).typeName !== 'ZodDefault') required.push(key);
  }
  const out: JsonSchema = { type: 'object', properties };
  if (required.length) out['required'] = required;
  const unknownKeys = def['unknownKeys'];
  if (unknownKeys === 'strict') out['additionalProperties'] = false;
  return out;
}
