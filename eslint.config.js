// Lint: floating promises anywhere in src/ and scripts/, and STYLE.md's rings (which folder may import which)
// as import restrictions per folder. `npm test` runs it after the type check.
import tseslint from 'typescript-eslint';

/** An import of one of these folders (any depth of ../), as written in src/; `except` files stay allowed. */
const folder = (name, except = []) => `^(\\./|(\\.\\./)+)${name}/${except.length ? `(?!(${except.join('|')})$)` : ''}`;
const ours = ['text', 'routing', 'smpp', 'db', 'actions', 'pipeline', 'web', 'cli', 'sim'];
// The root files (src/config.ts, main.ts, ...), reached from a folder of src/ at any depth; no folder has its own.
const file = (...names) => `^(\\.\\./)+(${names.join('|')})\\.js$`;

/**
 * STYLE.md's table: what each folder may import of ours. Any folder may import errors.ts, log.ts and the
 * Config type; nothing imports main.ts or gateway.ts.
 */
const rings = {
  text: { may: [] },
  routing: { may: ['text'] },
  smpp: { may: ['text'], pkgs: ['bullmq', 'ioredis', 'drizzle-orm', 'drizzle-orm/*', 'postgres'] },
  db: { may: [] },
  actions: { may: ['db', 'text'], typesFrom: ['routing'], pkgs: ['bullmq', 'smpp'] },
  pipeline: { may: ['smpp', 'text', 'routing', 'actions', 'db'] },
  web: { may: ['db', 'routing', 'actions'], pkgs: ['bullmq', 'smpp'] },
  cli: { may: ['sim'], allow: ['web/admin/schemas.js'] },
  sim: { may: ['smpp', 'text'] },
};

function restrictions(name, ring) {
  const patterns = [];
  for (const other of ours) {
    if (other === name || ring.may.includes(other)) continue;
    const typesOnly = ring.typesFrom?.includes(other);
    patterns.push({
      regex: folder(other, (ring.allow ?? []).filter((a) => a.startsWith(`${other}/`)).map((a) => a.slice(other.length + 1).replace(/\./g, '\\.'))),
      ...(typesOnly ? { allowTypeImports: true } : {}),
      message: `STYLE.md rings: ${name}/ may not import ${other}/${typesOnly ? ' (types only)' : ''}.`,
    });
  }
  patterns.push({ regex: file('main', 'gateway'), message: 'STYLE.md rings: only tests import main.ts and gateway.ts.' });
  patterns.push({ regex: file('config'), allowTypeImports: true, message: 'STYLE.md: folders take the Config type; only main.ts and gateway.ts parse config.' });
  if (ring.pkgs?.length) patterns.push({ group: ring.pkgs, message: `STYLE.md rings: ${name}/ does not use this package.` });
  return patterns;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'drizzle/**', 'test/**', 'bin/**', '*.config.*'] },
  {
    files: ['src/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  ...Object.entries(rings).map(([name, ring]) => ({
    files: [`src/${name}/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: restrictions(name, ring) }] },
  })),
  {
    files: ['src/redis.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: `^\\./(${ours.join('|')})/`, message: 'STYLE.md rings: redis.ts imports nothing of ours.' }] }] },
  },
);
