#!/usr/bin/env node
// Part of `npm ci`/`npm install` (the prepare script): links node_modules/.bin/sluice to bin/sluice.js, as a
// dependent project would have it, so tools that run `node_modules/.bin/sluice` from a checkout find it.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const binDir = fileURLToPath(new URL('../node_modules/.bin/', import.meta.url));
mkdirSync(binDir, { recursive: true });
rmSync(`${binDir}sluice`, { force: true });
symlinkSync('../../bin/sluice.js', `${binDir}sluice`);
