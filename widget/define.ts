/** Defines a custom element unless the page already has it, so loading the script twice does no harm. */
export function define(name: string, element: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, element)
}
