import { css } from 'lit'

/** The caseload's own styles, on top of the shared theme: one card per family, edged by its severity. */
export const caseloadStyles = css`
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  .family {
    display: grid;
    gap: 0.125rem;
    inline-size: 100%;
    min-block-size: 2.75rem;
    padding-block: 0.75rem;
    padding-inline: 1rem;
    border: 1px solid var(--_border);
    border-inline-start-width: 6px;
    border-radius: var(--_radius);
    background: var(--_background);
    color: var(--_text);
    text-align: start;
  }
  .family:hover {
    background: var(--_surface);
  }
  .family[aria-current='true'] {
    border-color: var(--_accent);
    background: var(--_surface);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  .family.alert {
    border-inline-start-color: var(--_alert);
  }
  .family.warning {
    border-inline-start-color: var(--_warning);
  }
  .family.notice {
    border-inline-start-color: var(--_notice);
  }
  .top {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    justify-content: space-between;
    gap: 0 0.75rem;
  }
  .ref {
    font-weight: 700;
    font-size: 1.0625rem;
    overflow-wrap: break-word;
    min-inline-size: 0;
  }
  .sev {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    font-weight: 600;
    font-size: 0.9375rem;
    white-space: nowrap;
  }
  .meta,
  .flag-texts {
    font-size: 0.9375rem;
  }
  .meta {
    color: var(--_text-subtle);
  }
  .more {
    margin-block-start: 1rem;
  }
  .hint {
    color: var(--_text-subtle);
  }
`
