/** An inline job: logs how late it started (a blocked event loop would show here). */
export function beat(ctx) {
  const lateMs = Date.now() - ctx.scheduledAt.getTime();
  if (lateMs > 50) ctx.logger.warn({ lateMs }, 'heartbeat late');
}
