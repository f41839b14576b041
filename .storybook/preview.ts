import { setCustomElementsManifest, type Preview } from '@storybook/web-components-vite';
import manifest from '../custom-elements.json';
import '../src/elements/index.js';

// Controls and the docs tables come from the same manifest users get (`npm run analyze` writes it).
setCustomElementsManifest(manifest);

const preview: Preview = {
  tags: ['autodocs'],
  parameters: {
    controls: { expanded: true },
    docs: { toc: false },
  },
};

export default preview;
