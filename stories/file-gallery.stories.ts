import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { FileSync } from '../src/core/file-sync.js';
import { deviceOf, saved } from './support/story.js';
import { sampleBytes, sampleImage } from './support/samples.js';

const meta: Meta = {
  title: 'Elements/ls-file-gallery',
  component: 'ls-file-gallery',
  // No component-level loader: loaders add up, and each story opens its own kind of device.
  render: (_args, { loaded }) => html`
    <ls-file-sync .sync=${loaded.sync as FileSync}>
      <ls-file-gallery></ls-file-gallery>
    </ls-file-sync>
  `,
};
export default meta;

type Story = StoryObj;

/** A store without files shows the empty state (replaceable through the `empty` slot). */
export const Empty: Story = {
  parameters: { smoke: { text: 'No files yet' } },
  loaders: [async (context) => ({ sync: await deviceOf(context) })],
};

/** Images and a document, uploaded: images as tiles, the document with a download button. */
export const WithFiles: Story = {
  parameters: { smoke: { text: 'report.pdf.*Download' } },
  loaders: [
    async (context) => {
      const sync = await deviceOf(context);
      const hues = [10, 60, 140, 200, 260, 320];
      const files = [...(await Promise.all(hues.map((hue, i) => sampleImage(`Photo ${i + 1}`, { hue })))), sampleBytes('report.pdf', 180_000, 'application/pdf')];
      await saved(sync, files, ['synced']);
      return { sync };
    },
  ],
};

/** Offline: the files saved on this device are shown with their queued state. */
export const OfflineQueue: Story = {
  parameters: { smoke: { text: 'Saved on this device' } },
  loaders: [
    async (context) => {
      const sync = await deviceOf(context, 'a', { kind: 'unreachable' });
      await saved(sync, [await sampleImage('Queued 1'), await sampleImage('Queued 2', { hue: 90 })]);
      return { sync };
    },
  ],
};
