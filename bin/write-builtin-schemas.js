#!/usr/bin/env node
// Part of `npm run build`: writes the built-in OpenAPI schemas next to the compiled src/schema module, so
// that builtinSchemas() reads them instead of building them from the client-node models at every start.
import { rmSync, writeFileSync } from 'node:fs';

const target = new URL('../dist/schema/builtin-schemas.json', import.meta.url);
rmSync(target, { force: true });
const { buildBuiltinSchemas } = await import('../dist/schema/builtin-schemas.js');
writeFileSync(target, JSON.stringify(buildBuiltinSchemas()));
