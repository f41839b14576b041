import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs'],
  framework: {
    name: '@storybook/web-components-vite',
    // Not the kit's own vite.config.ts: that one builds the library's entry points.
    options: { builder: { viteConfigPath: '.storybook/vite.config.ts' } },
  },
  // `ls-backend.json` (which local backend the stories talk to) is written here by scripts/storybook.mjs.
  staticDirs: ['./public'],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
};

export default config;
