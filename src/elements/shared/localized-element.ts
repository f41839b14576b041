import { LitElement } from 'lit';
import { languageLoading } from './localize.js';

/**
 * The base of the kit's elements that show text. Its first render waits for the element's language when that
 * loads on demand (`registerTranslationLoader`): a German page never shows English first.
 */
export class LocalizedElement extends LitElement {
  protected override scheduleUpdate(): void | Promise<unknown> {
    const loading = this.hasUpdated ? undefined : languageLoading(this);
    return loading ? loading.then(() => super.scheduleUpdate()) : super.scheduleUpdate();
  }
}
