/** What the webview is told about the settings: the typewriter, and who answers with which interpreter (the header). */
import { providerLabel } from '../config/apiKey';
import { readSettings, runsCodeLocally } from '../config/settings';
import { readLocalRuntimeSettings } from '../interpreter/localRuntime';
import type { ViewSettings } from '../shared/protocol';

export function viewSettings(): ViewSettings {
  const s = readSettings();
  const interpreter = s.interpreter === 'off' ? 'off' : runsCodeLocally(s) ? readLocalRuntimeSettings().runtime : 'hosted';
  return { typewriter: s.typewriter, model: { provider: providerLabel(s.provider), model: s.model, interpreter } };
}
