/**
 * The ioredis module, loaded when the first Redis store of the process needs it (see `lazyModule`).
 */
import type * as IORedis from 'ioredis';
import { lazyModule } from '../../lazy-module.js';

/** The ioredis module (loaded on the first call). */
export const ioredis = lazyModule<typeof IORedis>('ioredis');
