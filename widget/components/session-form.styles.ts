import { css } from 'lit'

/** The session form's own styles, on top of the shared theme: fields, rating cards, sliders, the error summary and the queue. */
export const sessionFormStyles = css`
  form {
    display: grid;
    gap: 1.25rem;
    max-inline-size: 40rem;
  }
  .row {
    display: grid;
    gap: 1rem;
  }
  @container (min-width: 30rem) {
    .row {
      grid-template-columns: 1fr 1fr;
    }
  }
  .field {
    display: grid;
    gap: 0.25rem;
  }
  label,
  legend {
    font-weight: 600;
  }
  input[type='date'],
  input[type='text'],
  select,
  textarea {
    font: inherit;
    color: var(--_text);
    background: var(--_background);
    min-block-size: 2.75rem;
    padding-block: 0.5rem;
    padding-inline: 0.75rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    inline-size: 100%;
  }
  textarea {
    min-block-size: 5rem;
    resize: vertical;
  }
  :not([type='range'])[aria-invalid='true'] {
    border-color: var(--_alert);
    box-shadow: inset 0 0 0 1px var(--_alert);
  }
  input[type='range'][aria-invalid='true']::-webkit-slider-runnable-track {
    border: 2px solid var(--_alert);
  }
  input[type='range'][aria-invalid='true']::-moz-range-track {
    border: 2px solid var(--_alert);
  }
  fieldset {
    margin: 0;
    padding-block: 0.75rem 1rem;
    padding-inline: 1rem;
    border: 1px solid var(--_border-subtle);
    border-radius: var(--_radius);
    background: var(--_background);
    min-inline-size: 0;
  }
  fieldset.invalid {
    border-color: var(--_alert);
    border-inline-start-width: 4px;
  }
  /* A floated legend sits inside its box, so each group reads as one card. */
  fieldset > legend {
    float: inline-start;
    inline-size: 100%;
    padding: 0;
    margin-block-end: 0.5rem;
    font-size: 1.0625rem;
  }
  fieldset > legend + * {
    clear: both;
  }
  .instrument {
    display: block;
    font-weight: 400;
    color: var(--_text-subtle);
    font-size: 0.9375rem;
  }
  .hint {
    margin: 0;
    color: var(--_text-subtle);
    font-size: 0.9375rem;
  }
  .checks {
    display: grid;
    gap: 0.25rem;
    margin-block-start: 0.5rem;
  }
  .check {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    min-block-size: 2.75rem;
    font-weight: 400;
  }
  .check input {
    inline-size: 1.375rem;
    block-size: 1.375rem;
    margin: 0;
    accent-color: var(--_accent);
  }
  .check .age {
    color: var(--_text-subtle);
  }
  .section {
    display: grid;
    gap: 1rem;
  }
  .section > h3 {
    margin: 0;
  }
  .modes {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin-block: 0.25rem 0.75rem;
    padding: 0;
    border: 0;
  }
  .mode {
    position: relative;
  }
  .mode input {
    position: absolute;
    opacity: 0;
    inset: 0;
    margin: 0;
    cursor: pointer;
  }
  .mode span {
    display: inline-flex;
    align-items: center;
    min-block-size: 2.75rem;
    padding-inline: 0.875rem;
    border: 1px solid var(--_border);
    border-radius: 999px;
    font-weight: 400;
  }
  .mode input:checked + span {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
    font-weight: 600;
  }
  .mode input:focus-visible + span {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .slider {
    display: grid;
    gap: 0.125rem;
    margin-block-end: 0.75rem;
  }
  .slider-head {
    display: flex;
    justify-content: space-between;
    align-items: baseline;
    gap: 1rem;
  }
  .value {
    font-variant-numeric: tabular-nums;
    font-weight: 700;
    min-inline-size: 3.5ch;
    text-align: end;
  }
  .unset .value {
    font-weight: 400;
    color: var(--_text-subtle);
  }
  input[type='range'] {
    -webkit-appearance: none;
    appearance: none;
    inline-size: 100%;
    block-size: 2.75rem;
    margin: 0;
    background: transparent;
    touch-action: pan-y;
    cursor: pointer;
  }
  input[type='range']::-webkit-slider-runnable-track {
    block-size: 0.5rem;
    border-radius: 999px;
    background: var(--_border-subtle);
    border: 1px solid var(--_border);
  }
  input[type='range']::-moz-range-track {
    block-size: 0.5rem;
    border-radius: 999px;
    background: var(--_border-subtle);
    border: 1px solid var(--_border);
  }
  input[type='range']::-webkit-slider-thumb {
    -webkit-appearance: none;
    appearance: none;
    inline-size: 1.75rem;
    block-size: 1.75rem;
    margin-block-start: -0.65rem;
    border-radius: 50%;
    background: var(--_accent);
    border: 3px solid var(--_background);
    box-shadow: 0 0 0 1px var(--_accent);
  }
  input[type='range']::-moz-range-thumb {
    inline-size: 1.75rem;
    block-size: 1.75rem;
    border-radius: 50%;
    background: var(--_accent);
    border: 3px solid var(--_background);
    box-shadow: 0 0 0 1px var(--_accent);
  }
  .unset input[type='range']::-webkit-slider-thumb {
    background: var(--_background);
    border: 2px dashed var(--_border);
    box-shadow: none;
  }
  .unset input[type='range']::-moz-range-thumb {
    background: var(--_background);
    border: 2px dashed var(--_border);
    box-shadow: none;
  }
  .ends {
    display: flex;
    justify-content: space-between;
    color: var(--_text-subtle);
    font-size: 0.875rem;
    margin-block-start: -0.375rem;
  }
  .field-error {
    margin: 0;
    color: var(--_alert);
    font-weight: 600;
    font-size: 0.9375rem;
  }
  .total {
    max-inline-size: 10rem;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
  }
  .actions .button {
    min-inline-size: 12rem;
  }
  .summary {
    border-inline-start-color: var(--_alert);
  }
  .summary:focus-visible {
    outline: 3px solid var(--_focus);
  }
  .summary ul,
  .queue ul {
    margin-block: 0.25rem 0;
    padding-inline-start: 1.25rem;
  }
  .summary button {
    padding: 0;
    border: 0;
    background: none;
    color: var(--_alert);
    text-align: start;
    text-decoration: underline;
    font-weight: 600;
    min-block-size: 1.75rem;
  }
  .queue {
    border-inline-start-color: var(--_warning);
  }
  .queue h3 {
    font-size: 1rem;
    margin-block-end: 0.25rem;
  }
  .queue li {
    margin-block-end: 0.25rem;
  }
  .queue .rejected {
    color: var(--_alert);
  }
  .queue .button {
    margin-block-start: 0.5rem;
    min-block-size: 2.5rem;
  }
`
