import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { FileSync } from '../src/core/file-sync.js';
import type { Route } from './support/live.js';
import { deviceOf, saved } from './support/story.js';
import { sampleBytes, sampleImage } from './support/samples.js';

interface Args {
  variant: 'compact' | 'detailed';
}

/**
 * What a story's device holds, and the state the story waits for. Set in parameters (merged key by key, so
 * every story names all three) rather than in loaders (which add up: the component's would run too).
 */
interface Setup {
  readonly route: Route;
  readonly files: () => Promise<File[]>;
  readonly until: Parameters<typeof saved>[2];
}

const meta: Meta<Args> = {
  title: 'Elements/ls-sync-status',
  component: 'ls-sync-status',
  args: { variant: 'detailed' },
  argTypes: { variant: { control: 'inline-radio', options: ['compact', 'detailed'] } },
  parameters: { setup: { route: { kind: 'direct' }, files: async () => [await sampleImage('Synced')], until: ['synced'] } satisfies Setup },
  loaders: [
    async (context) => {
      const { route, files, until } = context.parameters['setup'] as Setup;
      const sync = await deviceOf(context, 'a', route);
      await saved(sync, await files(), until);
      return { sync };
    },
  ],
  render: (args, { loaded }) => html`
    <ls-file-sync .sync=${loaded.sync as FileSync}>
      <ls-sync-status variant=${args.variant}></ls-sync-status>
    </ls-file-sync>
  `,
};
export default meta;

type Story = StoryObj<Args>;

/** Everything on this device is in remote storage (`status="synced"`). */
export const Synced: Story = { parameters: { smoke: { text: 'All files synced' } } };

export const Compact: Story = { args: { variant: 'compact' } };

/** An upload part-way (the backend holds it on purpose): pending count and bytes progress (`status="syncing"`). */
export const Syncing: Story = {
  parameters: {
    smoke: { text: '1 upload in progress' },
    setup: {
      route: { kind: 'faulty', faults: [{ method: 'PUT', action: 'stall', ms: 600_000 }] },
      files: async () => [sampleBytes('archive.zip', 24 * 1024 * 1024, 'application/zip')],
      until: ['uploading'],
    } satisfies Setup,
  },
};

/** No backend to reach, two files waiting (`status="offline"`). */
export const OfflineWithQueue: Story = {
  parameters: {
    smoke: { text: 'Offline: 2 files waiting' },
    setup: { route: { kind: 'unreachable' }, files: async () => [await sampleImage('One'), await sampleImage('Two', { hue: 300 })], until: ['local', 'retrying'] } satisfies Setup,
  },
};

/** A file the backend refused (a 413 injected on purpose): `status="error"` with "retry all". */
export const Failing: Story = {
  name: 'Error',
  parameters: {
    smoke: { text: '1 file failed.*Retry all' },
    setup: {
      route: { kind: 'faulty', faults: [{ method: 'PUT', action: 'status', status: 413 }] },
      files: async () => [await sampleImage('Refused')],
      until: ['failed'],
    } satisfies Setup,
  },
};
