// The hold preload for job worker threads: their execArgv carries no loader, so register tsx before importing hold.ts.
import { register } from 'tsx/esm/api';

register();
await import('./hold.ts');
