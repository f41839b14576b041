import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { FileSync } from '../src/core/file-sync.js';
import { deviceOf, saved } from './support/story.js';
import { sampleImage } from './support/samples.js';

interface Args {
  lang: string;
  dir: 'ltr' | 'rtl';
  scheme: 'light' | 'dark';
}

/** The whole kit as a page uses it: upload, status and gallery over one store. */
const meta: Meta<Args> = {
  title: 'Kit/Together',
  args: { lang: 'en', dir: 'ltr', scheme: 'light' },
  argTypes: {
    lang: { control: 'inline-radio', options: ['en', 'de', 'ar'] },
    dir: { control: 'inline-radio', options: ['ltr', 'rtl'] },
    scheme: { control: 'inline-radio', options: ['light', 'dark'] },
  },
  loaders: [
    async (context) => {
      const sync = await deviceOf(context);
      await saved(sync, [await sampleImage('Morning'), await sampleImage('Evening', { hue: 20 })], ['synced']);
      return { sync };
    },
  ],
  render: (args, { loaded }) => html`
    <div
      lang=${args.lang}
      dir=${args.dir}
      style="color-scheme: ${args.scheme}; background: ${args.scheme === 'dark' ? '#111827' : 'white'}; color: ${args.scheme === 'dark' ? '#f3f4f6' : '#111827'}; padding: 1rem; display: grid; gap: 1rem"
    >
      <ls-file-sync .sync=${loaded.sync as FileSync}>
        <ls-sync-status></ls-sync-status>
        <ls-file-upload accept="image/*" multiple name="photos"></ls-file-upload>
        <ls-file-gallery></ls-file-gallery>
      </ls-file-sync>
    </div>
  `,
};
export default meta;

type Story = StoryObj<Args>;

export const Light: Story = { parameters: { smoke: { text: 'All files synced' } } };

/** The page's `color-scheme: dark`: the elements' default colours follow it. */
export const Dark: Story = { args: { scheme: 'dark' }, parameters: { smoke: { text: 'All files synced' } } };

/** `lang="de"` on an ancestor: every text, number and size in German. */
export const German: Story = { args: { lang: 'de' }, parameters: { smoke: { text: 'Alle Dateien synchronisiert' } } };

/** `lang="ar" dir="rtl"`: Arabic, laid out right to left. */
export const ArabicRightToLeft: Story = { args: { lang: 'ar', dir: 'rtl' }, parameters: { smoke: { text: 'كل الملفات متزامنة' } } };
