/**
 * The service packages the `xcore` command registers with the kernel.
 */
import type { ServiceDefinition } from '@xcore/core';
import { schedulerService } from '@xcore/scheduler';

/** Every service the CLI knows, in creation order. */
export const builtinServices: readonly ServiceDefinition[] = [schedulerService as unknown as ServiceDefinition];
