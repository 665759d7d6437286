/**
 * Failures per key (an account, an address) in a sliding window: past `limit` failures within
 * `windowMs`, the key is refused until the oldest of them leaves the window. Pure: the caller
 * gives the time, so the rule is tested without waiting.
 */
export class FailureThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    /** Keys kept at most, so a flood of distinct keys cannot grow it without bound. */
    private readonly maxKeys = 100_000,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfterMs(key: string, now: number): number {
    const recent = this.recent(key, now);
    return recent.length >= this.limit ? recent[recent.length - this.limit] + this.windowMs - now : 0;
  }

  fail(key: string, now: number): void {
    const recent = this.recent(key, now);
    recent.push(now);
    if (!this.failures.has(key) && this.failures.size >= this.maxKeys) {
      // Forget the key seen longest ago.
      this.failures.delete(this.failures.keys().next().value!);
    }
    this.failures.set(key, recent.slice(-this.limit));
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }
}
