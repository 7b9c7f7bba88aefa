/**
 * One pending timer that keeps the process alive only while someone waits on what it will do: a script whose calls
 * are all answered exits, even with a batch of a call it abandoned still being watched.
 */
export class KeepAliveTimer {
  private handle: NodeJS.Timeout | undefined;

  constructor(private readonly run: () => void) {}

  /** Replaces any pending run with one after `delayMs`. */
  schedule(delayMs: number, keepAlive: boolean): void {
    this.cancel();
    this.handle = setTimeout(
      () => {
        this.handle = undefined;
        this.run();
      },
      Math.max(0, delayMs),
    );
    if (!keepAlive) this.handle.unref();
  }

  keepAlive(on: boolean): void {
    if (on) this.handle?.ref();
    else this.handle?.unref();
  }

  cancel(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
  }
}
