/**
 * What models a server offers (`GET /v1/models`, through the openai package), and which local servers (Ollama,
 * LM Studio) answer on this machine. No `vscode`: the "Choose Model" command and the first-run offer use these.
 */
import OpenAI from 'openai';
import { type ProviderPreset, noKeyPlaceholder, presets } from './presets';

/** The model ids a server lists, sorted. Throws what the openai package throws (the caller says why it failed). */
export async function listModels(baseUrl: string, apiKey: string | undefined, signal?: AbortSignal, headers?: Record<string, string>): Promise<string[]> {
  const client = new OpenAI({ apiKey: apiKey || noKeyPlaceholder, baseURL: baseUrl, maxRetries: 0, timeout: 10_000, defaultHeaders: headers });
  const ids: string[] = [];
  for await (const m of client.models.list({ signal })) {
    if (typeof m.id === 'string' && m.id !== '') ids.push(m.id);
    if (ids.length >= 1000) break;
  }
  return [...new Set(ids)].sort((a, b) => a.localeCompare(b));
}

export interface LocalServer {
  readonly provider: ProviderPreset;
  readonly baseUrl: string;
  readonly models: readonly string[];
}

/** The local servers (Ollama, LM Studio) that answer `/v1/models` within `timeoutMs`, with their models. */
export async function detectLocalServers(timeoutMs = 1_500, candidates: readonly ProviderPreset[] = ['ollama', 'lmstudio'], baseUrls: Partial<Record<ProviderPreset, string>> = {}): Promise<LocalServer[]> {
  const found = await Promise.all(
    candidates.map(async (provider): Promise<LocalServer | undefined> => {
      const baseUrl = baseUrls[provider] ?? presets[provider].baseUrl.chat;
      if (!baseUrl) return undefined;
      try {
        const models = await listModels(baseUrl, undefined, AbortSignal.timeout(timeoutMs));
        return { provider, baseUrl, models };
      } catch {
        return undefined; // nothing listening there, or not this kind of server
      }
    }),
  );
  return found.filter((s): s is LocalServer => s !== undefined);
}
