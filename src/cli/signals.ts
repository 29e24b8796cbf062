/**
 * Resolves on the first SIGINT or SIGTERM, so the caller can stop cleanly; a second signal
 * while stopping gives up at once (exit 130 or 143).
 */
export function waitForStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
