/**
 * The service packages the `xcore` command registers with the kernel.
 */
import type { ServiceDefinition } from '@xcore/core';
import { httpService } from '@xcore/http';
import { schedulerService } from '@xcore/scheduler';

/**
 * Every service the CLI knows, in creation order: the scheduler first, so the http service (and
 * the admin routes it serves) can reach it.
 */
export const builtinServices: readonly ServiceDefinition[] = [schedulerService as unknown as ServiceDefinition, httpService as unknown as ServiceDefinition];
