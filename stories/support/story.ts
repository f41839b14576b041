import type { StoryContext } from '@storybook/web-components-vite';
import type { FileSync } from '../../src/core/file-sync.js';
import type { FileView } from '../../src/core/views/state.js';
import { device, filesWhere, type Route } from './live.js';

// Store ids last for one page load: revisiting a story in the same session shows the same store.
const pageSuffix = Math.random().toString(36).slice(2, 8);

/** The story's own store (one per story and page load), so stories never see each other's files. */
export const storeOf = (context: Pick<StoryContext, 'id'>) => `sb-${context.id}-${pageSuffix}`.slice(0, 128);

/** One device of the story's store. */
export const deviceOf = (context: Pick<StoryContext, 'id'>, name = 'a', route?: Route) => device(storeOf(context), name, route);

/** Saves files on a device and waits until they are in the state a story shows. */
export async function saved(sync: FileSync, files: readonly File[], until: FileView['state']['kind'][] = ['local', 'retrying', 'uploading', 'synced']): Promise<FileView[]> {
  const views: FileView[] = [];
  for (const file of files) views.push(await sync.saveFile(file));
  const ids = new Set(views.map((v) => v.id));
  await filesWhere(sync, (all) => all.filter((f) => ids.has(f.id) && until.includes(f.state.kind)).length === ids.size);
  return views;
}

/** Waits until a device knows these files (through sync). */
export const known = (sync: FileSync, ids: readonly string[]) => filesWhere(sync, (all) => ids.every((id) => all.some((f) => f.id === id)));
