import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { FileSync } from '../src/core/file-sync.js';
import type { LsFileUpload } from '../src/elements/file-upload/file-upload.js';
import type { Route } from './support/live.js';
import { deviceOf } from './support/story.js';
import { sampleBytes, sampleImage } from './support/samples.js';

interface Args {
  accept: string;
  multiple: boolean;
  maxSize: string;
  maxFiles: number;
  name: string;
  disabled: boolean;
  required: boolean;
}

/** Adds files to the story's upload control once it is on the page, as a drop would. */
const drop = (files: () => Promise<File[]>) => async ({ canvasElement }: { canvasElement: HTMLElement }) => {
  const upload = canvasElement.querySelector<LsFileUpload>('ls-file-upload')!;
  await upload.addFiles(await files());
};

const meta: Meta<Args> = {
  title: 'Elements/ls-file-upload',
  component: 'ls-file-upload',
  args: { accept: 'image/*,.pdf', multiple: true, maxSize: '', maxFiles: 0, name: 'photos', disabled: false, required: false },
  // Loaders add up (component, then story), so stories choose their route with `parameters.route` instead.
  loaders: [async (context) => ({ sync: await deviceOf(context, 'a', context.parameters['route'] as Route | undefined) })],
  render: (args, { loaded }) => html`
    <ls-file-sync .sync=${loaded.sync as FileSync}>
      <ls-file-upload
        accept=${args.accept}
        ?multiple=${args.multiple}
        max-size=${ifDefined(args.maxSize || undefined)}
        max-files=${ifDefined(args.maxFiles || undefined)}
        name=${args.name}
        ?disabled=${args.disabled}
        ?required=${args.required}
      ></ls-file-upload>
    </ls-file-sync>
  `,
};
export default meta;

type Story = StoryObj<Args>;

/** Nothing added yet: drop files, paste them, or press Enter on the control to choose them. */
export const Empty: Story = { parameters: { smoke: { text: 'Drop files here or choose files' } } };

/** Two images saved on this device and uploaded to the local backend. */
export const Synced: Story = {
  parameters: { smoke: { text: 'harbour.jpg.*Synced.*dunes.jpg.*Synced' } },
  play: drop(async () => [await sampleImage('Harbour'), await sampleImage('Dunes', { hue: 30 })]),
};

/** An upload in progress: the backend holds the request (a stall injected on purpose), so it stays part-way. */
export const Uploading: Story = {
  parameters: {
    smoke: { text: 'Uploading [1-9]\\d?%' },
    route: { kind: 'faulty', faults: [{ method: 'PUT', action: 'stall', ms: 600_000 }] },
  },
  play: drop(async () => [sampleBytes('survey-scan.pdf', 24 * 1024 * 1024, 'application/pdf')]),
};

/** No backend to reach: files are saved on this device and wait, listed as saved locally. */
export const OfflineQueue: Story = {
  parameters: {
    smoke: { text: 'kitchen.jpg.*Saved on this device' },
    route: { kind: 'unreachable' },
  },
  play: drop(async () => [await sampleImage('Kitchen'), await sampleImage('Garden', { hue: 120 })]),
};

/** The backend refused the file (a 413 injected on purpose): the reason is shown with a retry button. */
export const FailedWithRetry: Story = {
  parameters: {
    smoke: { text: 'Failed: .*Retry' },
    route: { kind: 'faulty', faults: [{ method: 'PUT', action: 'status', status: 413 }] },
  },
  play: drop(async () => [await sampleImage('Roof')]),
};

/** `accept="image/*"` and `max-size="200 KB"`: a text file and a large image are refused with specific reasons. */
export const Restrictions: Story = {
  parameters: { smoke: { text: 'minutes.txt is not an accepted type.*panorama.jpg is larger than' } },
  args: { accept: 'image/*', maxSize: '200 KB', maxFiles: 3 },
  play: drop(async () => [
    new File(['minutes of the meeting'], 'minutes.txt', { type: 'text/plain' }),
    sampleBytes('panorama.jpg', 2 * 1024 * 1024, 'image/jpeg'),
    await sampleImage('Small', { width: 320, height: 200 }),
  ]),
};

/** A single required file: the control is `:invalid` until one is added, like a native input. */
export const RequiredSingle: Story = {
  args: { multiple: false, required: true, name: 'cover' },
};

export const Disabled: Story = {
  args: { disabled: true },
};
