/**
 * The one file that knows about @vscode/webview-ui-toolkit (archived upstream): swapping it out stays a change here.
 * Renderers ask for a button through `createButton`; they never name a toolkit element themselves.
 */

let registered: Promise<void> | undefined;

/**
 * Define the toolkit's custom elements (buttons created earlier upgrade in place). The toolkit is loaded here, on
 * demand, so the renderers (and their unit tests, which run without a browser) never load it.
 */
export function registerToolkit(): Promise<void> {
  registered ??= import('@vscode/webview-ui-toolkit').then(({ provideVSCodeDesignSystem, vsCodeButton }) => {
    provideVSCodeDesignSystem().register(vsCodeButton());
  });
  return registered;
}

export interface ButtonOptions {
  readonly label: string;
  readonly className?: string;
  readonly id?: string;
  /** primary: the main action; secondary: everything else; icon: a small glyph button. */
  readonly appearance?: 'primary' | 'secondary' | 'icon';
  /** Accessible name when the label is a glyph. */
  readonly ariaLabel?: string;
  /**
   * A button that comes with the content (code toolbars, file rows, output toggles, a turn's actions): a native
   * `<button>` drawn from the theme's button colours (`.ct-button` in styles.css). A long chat has hundreds of them,
   * and each toolkit element builds its own shadow DOM: opening a 500-turn chat spent half its time there, and a
   * streamed answer's code blocks a tenth. The chat's own controls stay toolkit buttons.
   */
  readonly inline?: boolean;
  readonly onClick: () => void;
}

/** A theme-aware button (a `vscode-button` once the toolkit is registered; `inline`: a native one). */
export function createButton(doc: Document, o: ButtonOptions): HTMLElement {
  const b = doc.createElement(o.inline ? 'button' : 'vscode-button');
  b.textContent = o.label;
  if (o.inline) b.setAttribute('type', 'button');
  b.className = [o.inline ? 'ct-button' : '', o.className ?? ''].filter(Boolean).join(' ');
  if (!b.className) b.removeAttribute('class');
  if (o.id) b.id = o.id;
  b.setAttribute('appearance', o.appearance ?? 'secondary');
  if (o.ariaLabel) b.setAttribute('aria-label', o.ariaLabel);
  b.addEventListener('click', () => {
    if (!isButtonDisabled(b)) o.onClick();
  });
  return b;
}

export function setButtonDisabled(b: HTMLElement, disabled: boolean): void {
  b.toggleAttribute('disabled', disabled);
}

export function isButtonDisabled(b: HTMLElement): boolean {
  return b.hasAttribute('disabled');
}

export function setButtonLabel(b: HTMLElement, label: string): void {
  if (b.textContent !== label) b.textContent = label;
}
