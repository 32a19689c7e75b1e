/**
 * The providers a learner can pick. Each preset knows its default base URL per protocol, how it wants the key
 * sent, and where else its key may already be (an environment variable). "compatible" is any server: the base
 * URL and the protocol are the learner's to say. Local servers (Ollama, LM Studio, llama.cpp) need no key.
 */
import type { Protocol } from './provider';
import type { ConversationState } from './providers/responses/clientConversation';

export type ProviderPreset = 'openai' | 'azure' | 'dashscope' | 'compatible' | 'ollama' | 'lmstudio' | 'llamacpp' | 'deepseek' | 'openrouter';
export const providerPresets: readonly ProviderPreset[] = ['openai', 'azure', 'dashscope', 'compatible', 'ollama', 'lmstudio', 'llamacpp', 'deepseek', 'openrouter'];

/** DashScope's regions: Beijing (dashscope.aliyuncs.com) or Singapore (dashscope-intl.aliyuncs.com). */
export type DashScopeRegion = 'beijing' | 'singapore';

export interface PresetInfo {
  /** Default base URL per protocol; absent means the learner must give one. */
  readonly baseUrl: Partial<Record<Protocol, string>>;
  readonly defaultModel: string;
  /** The protocol used when the learner has not chosen one. */
  readonly defaultProtocol?: Protocol;
  /** Environment variables that may hold this provider's key, in order. */
  readonly keyEnv: readonly string[];
  /** A server on the learner's own machine: no key needed. */
  readonly noKey?: boolean;
  /** Azure takes its key in an `api-key` header. */
  readonly keyHeader?: string;
  /** DashScope's Responses endpoint ignores `instructions`: send them as a system message instead. */
  readonly instructionsAsMessage?: boolean;
  /** Its `/v1/responses` keeps no responses (no `previous_response_id`): the conversation is kept on the client. */
  readonly statelessResponses?: boolean;
}

const dashscopeHost: Readonly<Record<DashScopeRegion, string>> = { beijing: 'dashscope.aliyuncs.com', singapore: 'dashscope-intl.aliyuncs.com' };

/** DashScope's base URLs in a region: compatible mode (Responses and chat completions) and its Assistant API. */
export function dashscopeBaseUrls(region: DashScopeRegion): Partial<Record<Protocol, string>> {
  const host = dashscopeHost[region];
  return { responses: `https://${host}/compatible-mode/v1`, chat: `https://${host}/compatible-mode/v1`, assistants: `https://${host}/api/v1` };
}

export const presets: Readonly<Record<ProviderPreset, PresetInfo>> = {
  openai: { baseUrl: { responses: 'https://api.openai.com/v1', assistants: 'https://api.openai.com/v1', chat: 'https://api.openai.com/v1' }, defaultModel: 'gpt-5-mini', keyEnv: ['OPENAI_API_KEY'] },
  // https://<resource>.openai.azure.com/openai/v1 — the resource is the learner's own.
  azure: { baseUrl: {}, defaultModel: 'gpt-5-mini', keyEnv: ['AZURE_OPENAI_API_KEY', 'OPENAI_API_KEY'], keyHeader: 'api-key' },
  dashscope: {
    baseUrl: dashscopeBaseUrls('beijing'),
    defaultModel: 'qwen3-max',
    keyEnv: ['DASHSCOPE_API_KEY', 'OPENAI_API_KEY'],
    instructionsAsMessage: true,
  },
  compatible: { baseUrl: {}, defaultModel: 'gpt-5-mini', keyEnv: ['OPENAI_API_KEY'] },
  ollama: { baseUrl: { chat: 'http://127.0.0.1:11434/v1', responses: 'http://127.0.0.1:11434/v1' }, defaultModel: 'qwen2.5-coder', defaultProtocol: 'chat', keyEnv: [], noKey: true, statelessResponses: true },
  lmstudio: { baseUrl: { chat: 'http://127.0.0.1:1234/v1', responses: 'http://127.0.0.1:1234/v1' }, defaultModel: 'qwen2.5-coder-7b-instruct', defaultProtocol: 'chat', keyEnv: [], noKey: true },
  llamacpp: { baseUrl: { chat: 'http://127.0.0.1:8080/v1' }, defaultModel: 'default', defaultProtocol: 'chat', keyEnv: [], noKey: true, statelessResponses: true },
  deepseek: { baseUrl: { chat: 'https://api.deepseek.com/v1' }, defaultModel: 'deepseek-chat', defaultProtocol: 'chat', keyEnv: ['DEEPSEEK_API_KEY'] },
  openrouter: { baseUrl: { chat: 'https://openrouter.ai/api/v1', responses: 'https://openrouter.ai/api/v1' }, defaultModel: 'openai/gpt-4o-mini', defaultProtocol: 'chat', keyEnv: ['OPENROUTER_API_KEY'], statelessResponses: true },
};

/** The base URL a preset uses for a protocol, in a DashScope region where that applies. */
export function presetBaseUrl(provider: ProviderPreset, protocol: Protocol, region: DashScopeRegion = 'beijing'): string | undefined {
  if (provider === 'dashscope') return dashscopeBaseUrls(region)[protocol];
  return presets[provider].baseUrl[protocol];
}

/**
 * `codeTutor.conversationState` for a preset: `auto` is the client on a server known to keep no responses, and
 * otherwise stays `auto` (the server, falling back to the client when it refuses previous_response_id).
 */
export function conversationStateFor(setting: ConversationState, provider: ProviderPreset): ConversationState {
  return setting === 'auto' && presets[provider].statelessResponses ? 'client' : setting;
}

/** What a local server's key is when it needs none (the openai package insists on one). */
export const noKeyPlaceholder = 'no-key';

export function isProviderPreset(v: unknown): v is ProviderPreset {
  return typeof v === 'string' && (providerPresets as readonly string[]).includes(v);
}
