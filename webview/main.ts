/**
 * The chat webview's entry: connect to the host, check every message at the door, keep the chat state with the
 * shared reducer and render it. Says `ready` on load; the host answers with a snapshot, then live events.
 */
import './styles.css';
import './tutor.css';
import { connectHost } from './host';
import { ChatView } from './render/chatView';
import { warmUpRenderers } from './render/warmUp';
import { registerToolkit } from './ui/toolkit';

function start(): void {
  void registerToolkit();
  const host = connectHost(window);
  let root = document.getElementById('code-tutor-root');
  if (!root) {
    root = document.createElement('div');
    root.id = 'code-tutor-root';
    document.body.append(root);
  }
  const motion = window.matchMedia('(prefers-reduced-motion: reduce)');
  const view = new ChatView({
    doc: document,
    root,
    post: (m) => host.post(m),
    now: () => performance.now(),
    requestFrame: (cb) => requestAnimationFrame(() => cb()),
    reducedMotion: () => motion.matches,
  });
  motion.addEventListener('change', () => {
    if (motion.matches) view.showAll();
  });
  host.onMessage((m) => {
    try {
      view.handle(m);
    } catch (err) {
      // A message that passed the guard but still broke a renderer must not take the view down with it.
      console.error('code-tutor: could not apply a host message', err);
    }
  });
  host.post({ type: 'ready' });
  const idle = (cb: () => void) => ('requestIdleCallback' in window ? window.requestIdleCallback(cb, { timeout: 2000 }) : setTimeout(cb, 200));
  idle(() => warmUpRenderers(document));
}

start();
