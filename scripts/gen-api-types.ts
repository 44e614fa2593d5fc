// `npm run gen:api`: write the console's API types from the server's OpenAPI document.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { GENERATED_TYPES_PATH, generateApiTypes } from '../src/contract/openapi-types.ts';

const target = path.resolve(import.meta.dirname, '..', GENERATED_TYPES_PATH);
writeFileSync(target, await generateApiTypes());
console.log(`wrote ${GENERATED_TYPES_PATH}`);
