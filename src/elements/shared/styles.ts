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
    outline: 2px solid var(--ls-color-accent, #2563eb);
    outline-offset: 2px;
  }
`;
