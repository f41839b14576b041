// Colours default to `light-dark()` pairs, so the elements follow the page's `color-scheme` (set
// `color-scheme: light dark` on the page to follow the system); `--ls-color-*` properties override them.
import { css } from 'lit';

/** Hidden from sight, still read by screen readers. */
export const visuallyHidden = css`
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;

export const focusRing = css`
  button:focus-visible {
    outline: 2px solid var(--ls-color-accent, light-dark(#2563eb, #60a5fa));
    outline-offset: 2px;
  }
`;

