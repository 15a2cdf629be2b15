/**
 * `@xcore/cli`: the `xcore` command.
 *
 * @packageDocumentation
 */
export {};
