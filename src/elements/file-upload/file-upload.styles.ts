import { css } from 'lit';
import { focusRing, visuallyHidden } from '../shared/styles.js';

// Why some rules are as they are (comments inside the css template would ship in the bundle):
// - the picker and "dismiss" are links in look: text buttons;
// - the lists are a column as wide as the zone, never as wide as the longest unbreakable name;
// - a file's row has `content-visibility: auto`: in a drop of a thousand files, the rows out of view skip
//   style and layout as their states change.
export const styles = [
  visuallyHidden,
  focusRing,
  css`
  :host {
    display: block;
    --ls-upload-border: 2px dashed var(--ls-color-border, light-dark(#9aa3ad, #6b7280));
    --ls-upload-border-active: 2px dashed var(--ls-color-accent, light-dark(#2563eb, #60a5fa));
    --ls-upload-background: var(--ls-color-surface, transparent);
    --ls-upload-padding: 1.25rem;
    --ls-upload-radius: var(--ls-radius, 0.5rem);
    --ls-upload-error: var(--ls-color-danger, light-dark(#b91c1c, #f87171));
    font: inherit;
    color: inherit;
  }
  :host([disabled]) {
    opacity: 0.6;
  }
  [part='base'] {
    border: var(--ls-upload-border);
    border-radius: var(--ls-upload-radius);
    background: var(--ls-upload-background);
    padding: var(--ls-upload-padding);
    text-align: center;
  }
  :host([dragging]) [part='base'] {
    border: var(--ls-upload-border-active);
  }
  [part='button'],
  [part='dismiss'] {
    font: inherit;
    color: var(--ls-color-accent, light-dark(#2563eb, #60a5fa));
    background: none;
    border: none;
    padding: 0;
    text-decoration: underline;
    cursor: pointer;
  }
  [part='files'],
  [part='rejections'] {
    list-style: none;
    margin: 0.75rem 0 0;
    padding: 0;
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 0.375rem;
    text-align: start;
  }
  [part~='file'] {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    content-visibility: auto;
    contain-intrinsic-size: auto 1.75rem;
  }
  [part='file-name'] {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  [part='file-state'] {
    font-size: 0.875em;
    opacity: 0.8;
  }
  progress {
    width: 5rem;
  }
  [part='rejections'] {
    gap: 0.25rem;
    color: var(--ls-upload-error);
    overflow-wrap: anywhere;
  }
  [part='dismiss'] {
    font-size: 0.875em;
    color: inherit;
  }
`,
];
