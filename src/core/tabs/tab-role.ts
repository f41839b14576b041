/**
 * This tab's part in a store's transfers. The tab that holds the store's lock (leader.ts) leads them
 * (leading-tab.ts); every other tab sends it commands and shows what it reports (tab-channel.ts). Either
 * way, this is where a tab reads how a file's transfer goes and whether the backend answers.
 */
import { Observable, type ReadonlyObservable } from '../observable.js';
import type { Uploader } from '../transfers/uploader.js';
import type { TransferActivity } from '../views/state.js';
import { TransferActivities } from '../views/transfer-activity.js';
import { claimLeadership, type Leadership } from './leader.js';
import { LeadingTab, type LeadingTabContext, type LeadingTabOptions } from './leading-tab.js';
import { TabChannel, type ActivityReport, type LeaderCommand } from './tab-channel.js';

/** What the leading tab works on, handed over once this tab may lead. */
export type LeaderWork = Omit<LeadingTabContext, 'activity' | 'cacheBudget' | 'online' | 'reachabilityChanged'>;

export interface TabRoleOptions {
  /** Tabs of the same scope (origin storage and store) share one leader. */
  readonly scope: string;
  /** The cache budget, until the app changes it (see `FileSyncOptions.cacheBudget`). */
  readonly cacheBudget: number | undefined;
  /** Whether the browser says it is online. */
  readonly online: () => boolean;
}

export class TabRole {
  readonly #isLeader = new Observable(false);
  readonly #activity = new TransferActivities(() => {
    this.#report();
    this.changed();
  });
  readonly #channel: TabChannel;
  #leadership: Leadership | undefined;
  #leading: LeadingTab | undefined;
  /** In a tab that does not lead: the leader said requests get no answer and it is probing the backend. */
  #leaderReportsDown = false;
  #cacheBudget: number | undefined;
  #closed = false;

  /** `changed` runs when what this tab shows of transfers changed: an activity, the backend's reachability, the lead. */
  constructor(
    private readonly options: TabRoleOptions,
    private readonly changed: () => void,
  ) {
    this.#cacheBudget = options.cacheBudget;
    this.#channel = new TabChannel(`lsfs:${options.scope}`, {
      command: (command) => this.#run(command),
      report: (report) => this.#take(report),
      hello: () => this.#report(),
    });
  }

  /** Waits for the store's lock, then leads the transfers until closed. */
  claim(work: LeaderWork, options: LeadingTabOptions): void {
    if (this.#leadership || this.#closed) return;
    this.#leadership = claimLeadership(`lsfs:transfers:${this.options.scope}`);
    void this.#leadership.acquired.then(() => this.#lead(work, options));
  }

  /** Whether this tab runs the transfers of this store. */
  get isLeader(): ReadonlyObservable<boolean> {
    return this.#isLeader;
  }

  /** The leader's work, once this tab leads. */
  get leading(): LeadingTab | undefined {
    return this.#closed ? undefined : this.#leading;
  }

  get cacheBudget(): number | undefined {
    return this.#cacheBudget;
  }

  /** Changes the budget here and in the leading tab, which evicts by it. */
  setCacheBudget(bytes: number | undefined): void {
    this.#cacheBudget = bytes;
    this.send({ type: 'cache-budget', bytes: bytes ?? null });
  }

  /** Runs `command` here when this tab leads, else asks the tab that does. */
  send(command: LeaderCommand): void {
    this.#channel.send(command);
  }

  /** The sync socket came up: the backend answers again. */
  backendAnswered(): void {
    this.#leaderReportsDown = false;
    this.leading?.transfers.backendAnswered();
  }

  /** Whether the backend answers, as far as the leader knows (this tab, or the one that told it). */
  backendAnswers(): boolean {
    return this.#leading ? this.#leading.transfers.backendReachable : !this.#leaderReportsDown;
  }

  /** Where a large file being saved may start going up: this tab's uploader, while it leads and the backend answers. */
  uploaderWhileSaving(): Uploader | undefined {
    return this.#leading && this.options.online() && this.backendAnswers() ? this.#leading.uploader : undefined;
  }

  /**
   * A retry timer means nothing while the network or the backend is gone: the queue holds until they are
   * back. Meanwhile a file reads as what it is (saved here, or in the cloud), not as "waiting to retry".
   */
  shownActivity(id: string): TransferActivity | undefined {
    const activity = this.#activity.get(id);
    return activity?.kind === 'waiting-retry' && (!this.options.online() || !this.backendAnswers()) ? undefined : activity;
  }

  /** The leader plans again from the store's rows as they are now. */
  reconcile(): void {
    this.leading?.reconcile();
  }

  /** Stops leading (a waiting tab takes over) and stops hearing from the leader. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#leading?.stop();
      this.#activity.close();
      this.#channel.close();
    } finally {
      // Whatever closing met, the lock goes: a core opened after this one (the store opened again after
      // LiveStore stopped it) runs the transfers only once it holds it.
      this.#leadership?.release();
    }
  }

  #lead(work: LeaderWork, options: LeadingTabOptions): void {
    if (this.#closed) return;
    this.#isLeader.set(true);
    this.#channel.lead();
    this.#leading = new LeadingTab(
      {
        ...work,
        activity: this.#activity,
        cacheBudget: () => this.#cacheBudget,
        online: () => this.options.online(),
        reachabilityChanged: () => {
          this.#report();
          this.changed();
        },
      },
      options,
    );
    this.changed();
  }

  /** In the leading tab: what this tab or another asked of it. */
  #run(command: LeaderCommand): void {
    switch (command.type) {
      case 'prioritize':
        this.leading?.transfers.prioritizeDownload(command.id);
        return;
      case 'retry-now':
        this.leading?.transfers.retryNow();
        return;
      case 'cache-budget':
        this.#cacheBudget = command.bytes ?? undefined;
        this.reconcile();
        return;
    }
  }

  /** In another tab: how the leading tab's transfers go. */
  #take(report: ActivityReport): void {
    this.#activity.replace(report.activity);
    this.#leaderReportsDown = !report.backendReachable;
    this.changed();
  }

  #report(): void {
    this.#channel.report({ activity: this.#activity.entries(), backendReachable: this.backendAnswers() });
  }
}
