import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { FileSync } from '../src/core/file-sync.js';
import { deviceOf, known, saved } from './support/story.js';
import { sampleImage } from './support/samples.js';
import type { Fault } from './support/live.js';

interface Args {
  alt: string;
  loading: 'lazy' | 'eager';
}

/**
 * Device "a" saves a photo and uploads it; the story shows it on device "b" of the same store, whose
 * downloads meet `faults` (injected on purpose), or on "a" itself when `faults` is undefined.
 */
const photoOn = (faults: readonly Fault[] | undefined) => async (context: { id: string }) => {
  const a = await deviceOf(context, 'a');
  const [photo] = await saved(a, [await sampleImage('Lighthouse', { hue: 190 })], faults ? ['synced'] : undefined);
  if (!faults) return { sync: a, fileId: photo!.id };
  const b = await deviceOf(context, 'b', { kind: 'faulty', faults });
  await known(b, [photo!.id]);
  return { sync: b, fileId: photo!.id };
};

const meta: Meta<Args> = {
  title: 'Elements/ls-file-image',
  component: 'ls-file-image',
  args: { alt: 'A lighthouse', loading: 'lazy' },
  argTypes: { loading: { control: 'inline-radio', options: ['lazy', 'eager'] } },
  // No component-level loader: loaders add up, and each story sets up its own devices.
  render: (args, { loaded }) => html`
    <ls-file-sync .sync=${loaded.sync as FileSync}>
      <ls-file-image file-id=${loaded.fileId as string} alt=${args.alt} loading=${args.loading} style="width: 24rem"></ls-file-image>
    </ls-file-sync>
  `,
};
export default meta;

type Story = StoryObj<Args>;

/** Saved on this device: shown at once from local storage (`status="ready"`). */
export const Local: Story = {
  parameters: { smoke: { selector: 'ls-file-image[status="ready"]' } },
  loaders: [photoOn(undefined)],
};

/**
 * Another device's photo whose bytes have not arrived (the download is held on purpose): the tiny preview
 * carried in the synced record fills the reserved box (`status="loading"`).
 */
export const RemoteLoading: Story = {
  parameters: { smoke: { selector: 'ls-file-image[status="loading"]' } },
  loaders: [photoOn([{ method: 'GET', action: 'stall', ms: 600_000 }])],
};

/** Another device's photo whose download is refused (a 403 injected on purpose): `status="failed"` with a retry. */
export const Failed: Story = {
  parameters: { smoke: { selector: 'ls-file-image[status="failed"]' } },
  loaders: [photoOn([{ method: 'GET', action: 'status', status: 403 }])],
};
