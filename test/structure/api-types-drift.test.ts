// The console's API types are generated from the server's OpenAPI document; this fails when a
// route schema changed and `npm run gen:api` was not run (the console would compile against a
// contract the server no longer keeps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GENERATED_TYPES_PATH, generateApiTypes } from '../../src/contract/openapi-types.ts';

test('console/src/api/schema.gen.ts matches the OpenAPI document (run `npm run gen:api`)', async () => {
  const checkedIn = readFileSync(path.resolve(import.meta.dirname, '../..', GENERATED_TYPES_PATH), 'utf8');
  const fresh = await generateApiTypes();
  if (checkedIn === fresh) return;
  const a = checkedIn.split('\n');
  const b = fresh.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  assert.fail(`${GENERATED_TYPES_PATH} is stale from line ${line + 1}:\n- ${a[line]}\n+ ${b[line]}\nRun \`npm run gen:api\` and commit the result.`);
});
