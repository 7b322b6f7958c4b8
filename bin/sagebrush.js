#!/usr/bin/env node
// Runs the TypeScript CLI in-process through tsx's loader, so `npx sagebrush` works from a clone
// and after `npm install -g .` without a separate build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
