/**
 * The tabs of one store on one device talk here: one tab leads (runs the transfers, see leader.ts); the
 * others ask it for work and hear from it how the transfers go.
 */
import type { TransferActivity } from '../views/state.js';

/** What any tab may ask of the leading one; in the leading tab itself it runs at once. */
export type LeaderCommand =
  | { readonly type: 'prioritize'; readonly id: string }
  | { readonly type: 'retry-now' }
  | { readonly type: 'cache-budget'; readonly bytes: number | null };

/** What the leading tab tells the others of its transfers. */
export interface ActivityReport {
  readonly activity: readonly (readonly [string, TransferActivity])[];
  readonly backendReachable: boolean;
}

type Message = LeaderCommand | ({ readonly type: 'activity' } & ActivityReport) | { readonly type: 'hello' };

export interface TabChannelHandlers {
  /** In the leading tab: a command of this tab or another. */
  readonly command: (command: LeaderCommand) => void;
  /** In the other tabs: the leader's transfers, as it last reported them. */
  readonly report: (report: ActivityReport) => void;
  /** In the leading tab: another tab opened and wants a report now. */
  readonly hello: () => void;
}

export class TabChannel {
  readonly #channel: BroadcastChannel | undefined;
  #leads = false;
  #closed = false;

  constructor(
    name: string,
    private readonly handlers: TabChannelHandlers,
  ) {
    this.#channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(name);
    if (!this.#channel) return;
    this.#channel.onmessage = (event: MessageEvent<Message>) => this.#receive(event.data);
    this.#post({ type: 'hello' });
  }

  /** This tab leads from now on: commands run here. */
  lead(): void {
    this.#leads = true;
  }

  /** Runs `command` here when this tab leads, else asks the tab that does. */
  send(command: LeaderCommand): void {
    if (this.#leads) this.handlers.command(command);
    else this.#post(command);
  }

  /** From the leading tab: tells the others how its transfers go. */
  report(report: ActivityReport): void {
    if (this.#leads) this.#post({ type: 'activity', ...report });
  }

  close(): void {
    this.#closed = true;
    this.#channel?.close();
  }

  #receive(message: Message): void {
    if (this.#closed) return;
    switch (message.type) {
      case 'activity':
        // A leader trusts its own queue.
        if (!this.#leads) this.handlers.report({ activity: message.activity, backendReachable: message.backendReachable });
        return;
      case 'hello':
        if (this.#leads) this.handlers.hello();
        return;
      default:
        if (this.#leads) this.handlers.command(message);
    }
  }

  #post(message: Message): void {
    if (!this.#closed) this.#channel?.postMessage(message);
  }
}
