import { css } from 'lit'

/**
 * Shared styles. Every colour is a private `--_*` property resolved once on :host from the
 * public `--framgang-*` property, then the host's Designsystemet token, then our fallback, so a
 * host themes the widget by setting either. The chart reads the same `--_*` values for its canvas.
 * Only logical properties (inline/block), so the layout is right in right-to-left pages too.
 */
export const themeStyles = css`
  :host {
    --_accent: var(--framgang-color-accent, var(--ds-color-accent-base-default, #1e5aa8));
    --_on-accent: var(--framgang-color-on-accent, var(--ds-color-accent-contrast-default, #ffffff));
    --_text: var(--framgang-color-text, var(--ds-color-neutral-text-default, #1f2328));
    --_text-subtle: var(--framgang-color-text-subtle, var(--ds-color-neutral-text-subtle, #4f5660));
    --_background: var(--framgang-color-background, var(--ds-color-neutral-background-default, #ffffff));
    --_surface: var(--framgang-color-surface, var(--ds-color-neutral-surface-tinted, #f3f5f8));
    --_border: var(--framgang-color-border, var(--ds-color-neutral-border-default, #737c87));
    --_border-subtle: var(--framgang-color-border-subtle, var(--ds-color-neutral-border-subtle, #d5dae0));
    --_focus: var(--framgang-color-focus, var(--ds-color-focus-outer, #1e5aa8));
    --_grid: var(--framgang-color-grid, #e3e6ea);
    --_alert: var(--framgang-color-alert, var(--ds-color-danger-text-default, #b3261e));
    --_warning: var(--framgang-color-warning, var(--ds-color-warning-text-default, #8a5300));
    --_notice: var(--framgang-color-notice, var(--ds-color-info-text-default, #0b5f80));
    --_success: var(--framgang-color-success, var(--ds-color-success-text-default, #1c6b34));
    --_series-1: var(--framgang-color-series-1, var(--_accent));
    --_series-2: var(--framgang-color-series-2, #a34700);
    --_series-3: var(--framgang-color-series-3, #2e7d32);
    --_series-4: var(--framgang-color-series-4, #7b3fa0);
    --_cutoff-band: var(--framgang-color-cutoff-band, rgba(112, 120, 132, 0.11));
    --_cutoff-line: var(--framgang-color-cutoff-line, #5f6670);
    --_expected-band: var(--framgang-color-expected-band, rgba(30, 90, 168, 0.13));
    --_expected-line: var(--framgang-color-expected-line, #4a6f9c);
    --_reference-band: var(--framgang-color-reference-band, rgba(46, 125, 50, 0.12));
    --_reference-line: var(--framgang-color-reference-line, #4f7f52);
    --_radius: var(--framgang-radius, var(--ds-border-radius-md, 0.375rem));
    --_space: var(--framgang-space, 1rem);

    display: block;
    box-sizing: border-box;
    color: var(--_text);
    font-family: var(--framgang-font-family, var(--ds-font-family, inherit));
    font-size: var(--framgang-font-size, 1rem);
    line-height: 1.5;
    container-type: inline-size;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute !important;
    inline-size: 1px;
    block-size: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
  h2,
  h3,
  h4 {
    margin-block: 0 0.5rem;
    line-height: 1.25;
  }
  h2 {
    font-size: 1.25rem;
  }
  h3 {
    font-size: 1.125rem;
  }
  h4 {
    font-size: 1rem;
  }
  p {
    margin-block: 0 0.5rem;
  }
  button {
    font: inherit;
    cursor: pointer;
  }
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.5rem;
    min-block-size: 2.75rem;
    padding-block: 0.5rem;
    padding-inline: 1rem;
    border: 2px solid var(--_accent);
    border-radius: var(--_radius);
    background: var(--_background);
    color: var(--_accent);
    font-weight: 600;
  }
  .button.primary {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  .button:disabled {
    cursor: default;
    opacity: 0.6;
  }
  .button.link {
    min-block-size: 2.75rem;
    border-color: transparent;
    padding-inline: 0.25rem;
    text-decoration: underline;
    text-underline-offset: 0.2em;
  }
  .message {
    margin-block: 0 1rem;
    padding-block: 0.75rem;
    padding-inline: 1rem;
    border-inline-start: 4px solid var(--_notice);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .message.error {
    border-inline-start-color: var(--_alert);
  }
  .message.success {
    border-inline-start-color: var(--_success);
  }
  .icon {
    flex: none;
    inline-size: 1.125rem;
    block-size: 1.125rem;
    vertical-align: -0.2em;
  }
  .sev-alert {
    color: var(--_alert);
  }
  .sev-warning {
    color: var(--_warning);
  }
  .sev-notice {
    color: var(--_notice);
  }
  .sev-none {
    color: var(--_success);
  }
`
