import type { Logger } from 'pino';

/** What the parties are told when a reminder fires or a rung is entered. */
export interface Notification {
  /**
   * Receivers deduplicate on this: delivery is at least once (the announcing activity is retried
   * until the receiver answers 2xx, and a retry after a lost answer announces twice).
   */
  idempotencyKey: string;
  /** report: the last clock check found no contact; told to the unit that follows up (`unit`). */
  type: 'reminder' | 'rung_entered' | 'report' | 'urged';
  obligationId: string;
  workflowId: string;
  unit: string;
  rung: number;
  /** For people, in Chinese. */
  text: string;
  document?: { kind: string; number: string; title: string; body: string };
}

export abstract class Notifier {
  abstract notify(notification: Notification): Promise<void>;
}

/** POSTs each notification as JSON; a non-2xx answer throws, so the activity retries. */
export class WebhookNotifier extends Notifier {
  constructor(private readonly url: string) {
    super();
  }

  async notify(n: Notification): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': n.idempotencyKey },
      body: JSON.stringify(n),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`webhook ${this.url} answered ${res.status}`);
  }
}

/** Where no webhook is configured, notifications are log lines. */
export class LogNotifier extends Notifier {
  constructor(private readonly logger: Logger) {
    super();
  }

  async notify(n: Notification): Promise<void> {
    this.logger.info({ workflowId: n.workflowId, notification: n }, n.text);
  }
}
