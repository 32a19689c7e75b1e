/**
 * The webview's side of the door: one wrapper around acquireVsCodeApi. Every message from the host is checked with
 * the shared guard before anyone sees it; malformed ones are dropped. The webview never imports `vscode`.
 */
import { isHostToWebview, type HostToWebview, type WebviewToHost } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  post(message: WebviewToHost): void;
  /** Listen to valid host messages; returns a function that stops listening. */
  onMessage(listener: (message: HostToWebview) => void): () => void;
}

export function connectHost(win: Window, api: VsCodeApi = acquireVsCodeApi()): Host {
  return {
    post: (message) => api.postMessage(message),
    onMessage(listener) {
      const handler = (e: MessageEvent): void => {
        if (isHostToWebview(e.data)) listener(e.data);
        else console.warn('code-tutor: dropped a malformed message from the host');
      };
      win.addEventListener('message', handler);
      return () => win.removeEventListener('message', handler);
    },
  };
}
