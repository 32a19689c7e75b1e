/**
 * The providers a learner can pick. Each preset knows its default base URL per protocol, how it wants the key
 * sent, and where else its key may already be (an environment variable). "compatible" is any server: the base
 * URL and the protocol are the learner's to say.
 */
import type { Protocol } from './provider';

export type ProviderPreset = 'openai' | 'azure' | 'dashscope' | 'compatible';
export const providerPresets: readonly ProviderPreset[] = ['openai', 'azure', 'dashscope', 'compatible'];

export interface PresetInfo {
  /** Default base URL per protocol; absent means the learner must give one. */
  readonly baseUrl: Partial<Record<Protocol, string>>;
  readonly defaultModel: string;
  /** Environment variables that may hold this provider's key, in order. */
  readonly keyEnv: readonly string[];
  /** Azure takes its key in an `api-key` header. */
  readonly keyHeader?: string;
  /** DashScope's Responses endpoint ignores `instructions`: send them as a system message instead. */
  readonly instructionsAsMessage?: boolean;
}

export const presets: Readonly<Record<ProviderPreset, PresetInfo>> = {
  openai: { baseUrl: { responses: 'https://api.openai.com/v1', assistants: 'https://api.openai.com/v1' }, defaultModel: 'gpt-5-mini', keyEnv: ['OPENAI_API_KEY'] },
  // https://<resource>.openai.azure.com/openai/v1 — the resource is the learner's own.
  azure: { baseUrl: {}, defaultModel: 'gpt-5-mini', keyEnv: ['AZURE_OPENAI_API_KEY', 'OPENAI_API_KEY'], keyHeader: 'api-key' },
  dashscope: {
    baseUrl: { responses: 'https://dashscope.aliyuncs.com/api/v2/apps/protocols/compatible-mode/v1', assistants: 'https://dashscope.aliyuncs.com/api/v1' },
    defaultModel: 'qwen3-max',
    keyEnv: ['DASHSCOPE_API_KEY', 'OPENAI_API_KEY'],
    instructionsAsMessage: true,
  },
  compatible: { baseUrl: {}, defaultModel: 'gpt-5-mini', keyEnv: ['OPENAI_API_KEY'] },
};

export function isProviderPreset(v: unknown): v is ProviderPreset {
  return typeof v === 'string' && (providerPresets as readonly string[]).includes(v);
}
