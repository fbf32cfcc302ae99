import { css } from 'lit'

/** The progress element's own styles, on top of the shared theme: charts, legend, flags and tables. */
export const progressStyles = css`
  .member + .member {
    margin-block-start: 2rem;
  }
  .chart {
    margin-block: 0 1.75rem;
  }
  .chart-head {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    justify-content: space-between;
    gap: 0.25rem 1rem;
  }
  .status {
    margin: 0;
    color: var(--_text-subtle);
  }
  .status strong {
    color: var(--_text);
  }
  figure {
    margin: 0;
  }
  .canvas-wrap {
    position: relative;
    block-size: var(--framgang-chart-height, 17rem);
    margin-block: 0.5rem;
    border-radius: var(--_radius);
  }
  .family .canvas-wrap {
    block-size: var(--framgang-chart-height, 18rem);
  }
  @container (min-width: 40rem) {
    .canvas-wrap {
      block-size: var(--framgang-chart-height, 20rem);
    }
  }
  .tip {
    position: absolute;
    z-index: 1;
    inset-inline-start: var(--tip-x, 0);
    inset-block-start: var(--tip-y, 0);
    transform: translateY(var(--tip-shift-y, calc(-100% - 0.75rem)));
    padding-block: 0.375rem;
    padding-inline: 0.625rem;
    border-radius: var(--_radius);
    background: var(--_text);
    color: var(--_background);
    font-size: 0.875rem;
    line-height: 1.35;
    pointer-events: none;
    white-space: nowrap;
  }
  .tip strong {
    display: block;
  }
  figcaption {
    color: var(--_text-subtle);
    font-size: 0.9375rem;
  }
  .family figcaption {
    color: var(--_text);
    font-size: 1.0625rem;
  }
  .legend,
  .flags {
    list-style: none;
    margin-block: 0.5rem;
    margin-inline: 0;
    padding: 0;
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1.25rem;
    font-size: 0.9375rem;
  }
  .legend li,
  .flags li {
    display: flex;
    align-items: flex-start;
    gap: 0.5rem;
  }
  .swatch {
    flex: none;
    inline-size: 1.75rem;
    block-size: 0.875rem;
    margin-block-start: 0.3rem;
  }
  .stroke {
    fill: none;
  }
  .stroke.c1 {
    stroke: var(--_series-1);
  }
  .stroke.c2 {
    stroke: var(--_series-2);
  }
  .stroke.c3 {
    stroke: var(--_series-3);
  }
  .stroke.c4 {
    stroke: var(--_series-4);
  }
  .fill.c1 {
    fill: var(--_series-1);
  }
  .fill.c2 {
    fill: var(--_series-2);
  }
  .fill.c3 {
    fill: var(--_series-3);
  }
  .fill.c4 {
    fill: var(--_series-4);
  }
  .stroke.trend {
    stroke: var(--_text-subtle);
  }
  .fill.cutoff-band {
    fill: var(--_cutoff-band);
  }
  .stroke.cutoff-line {
    stroke: var(--_cutoff-line);
  }
  .fill.reference-band {
    fill: var(--_reference-band);
  }
  .stroke.reference-line {
    stroke: var(--_reference-line);
  }
  .fill.expected-band {
    fill: var(--_expected-band);
  }
  .stroke.expected-line {
    stroke: var(--_expected-line);
  }
  .flags {
    display: grid;
    gap: 0.375rem;
  }
  .flags .icon {
    margin-block-start: 0.15rem;
  }
  .flag-no {
    font-weight: 700;
    min-inline-size: 1ch;
  }
  .where {
    color: var(--_text-subtle);
  }
  .family-flags {
    margin-block-end: 1rem;
  }
  .tables.collapsed .table-scroll {
    overflow: visible;
  }
  .table-scroll {
    overflow-x: auto;
    margin-block: 0.5rem;
  }
  table {
    border-collapse: collapse;
    font-size: 0.9375rem;
    font-variant-numeric: tabular-nums;
  }
  caption {
    text-align: start;
    font-weight: 600;
    padding-block-end: 0.25rem;
  }
  th,
  td {
    padding-block: 0.3rem;
    padding-inline: 0.6rem;
    border-block-end: 1px solid var(--_border-subtle);
    text-align: end;
    white-space: nowrap;
  }
  th[scope='col'] {
    vertical-align: bottom;
    white-space: normal;
    min-inline-size: 4.5rem;
  }
  th:nth-child(-n + 2),
  td:nth-child(2),
  .several :is(th, td):nth-child(3) {
    text-align: start;
  }
  tbody tr:focus-visible,
  tbody tr.active {
    background: var(--_surface);
    outline-offset: -3px;
  }
  .empty {
    color: var(--_text-subtle);
  }
`
