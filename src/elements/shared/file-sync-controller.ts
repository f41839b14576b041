/**
 * A reactive controller that finds the nearest `<ls-file-sync>` (through context), or else the page-wide
 * default set with `configure()`, and calls the host back with its FileSync once open.
 */
import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FileSync } from '../../core/for-elements.js';
import { fileSyncContext, type FileSyncConnection } from './context.js';
import { pageDefault } from './page-default.js';

type Host = ReactiveControllerHost & HTMLElement;

export class FileSyncController implements ReactiveController {
  connection: FileSyncConnection = { kind: 'idle' };
  #cleanup: (() => void) | undefined;
  /** A `<ls-file-sync>` above the host answered; the page default is not used. */
  #provided = false;
  #stopDefault: (() => void) | undefined;

  /**
   * @param attach called with the FileSync when it is ready; returns what to undo when it goes away
   *   (unsubscribe functions, object URLs).
   */
  constructor(
    private readonly host: Host,
    private readonly attach: (sync: FileSync) => (() => void) | void,
  ) {
    host.addController(this);
    new ContextConsumer(host, {
      context: fileSyncContext,
      subscribe: true,
      callback: (connection) => {
        this.#provided = true;
        this.#stopDefault?.();
        this.#stopDefault = undefined;
        this.#set(connection);
      },
    });
  }

  get sync(): FileSync | undefined {
    return this.connection.kind === 'ready' ? this.connection.sync : undefined;
  }

  hostConnected(): void {
    if (this.connection.kind === 'ready' && this.#cleanup === undefined) this.#attach(this.connection.sync);
    // The context request goes out after this controller connects; a provider answers it synchronously.
    queueMicrotask(() => {
      if (!this.#provided && this.host.isConnected && this.#stopDefault === undefined) {
        this.#stopDefault = pageDefault.subscribe((connection) => this.#set(connection));
      }
    });
  }

  hostDisconnected(): void {
    this.#stopDefault?.();
    this.#stopDefault = undefined;
    this.#provided = false;
    this.#detach();
  }

  #set(connection: FileSyncConnection): void {
    if (connection.kind === 'ready' && this.connection.kind === 'ready' && connection.sync === this.connection.sync) return;
    this.#detach();
    this.connection = connection;
    if (connection.kind === 'ready' && this.host.isConnected) this.#attach(connection.sync);
    this.host.requestUpdate();
  }

  #attach(sync: FileSync): void {
    this.#cleanup = this.attach(sync) ?? (() => {});
  }

  #detach(): void {
    this.#cleanup?.();
    this.#cleanup = undefined;
  }
}
