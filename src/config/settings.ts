/** The extension's settings, read fresh each time they are needed (they can change at any moment). */
import * as vscode from 'vscode';
import type { ProviderConfig } from '../engine/createProvider';
import { type DashScopeRegion, type ProviderPreset, conversationStateFor, isProviderPreset, presetBaseUrl, presets } from '../engine/presets';
import { type Protocol, protocols } from '../engine/provider';
import { defaultHistoryTokens } from '../engine/providers/chat/chatHistory';
import { type ConversationState, conversationStates } from '../engine/providers/responses/clientConversation';
import { isTutorMode, type TutorMode } from '../tutor/modes';

/** Where code runs: the server's hosted interpreter, locally (run_python), or nowhere. */
export type InterpreterSetting = 'hosted' | 'local' | 'off';

export const section = 'codeTutor';

export interface TutorSettings {
  readonly provider: ProviderPreset;
  readonly protocol: Protocol;
  /** Explicit setting, else OPENAI_BASE_URL, else the preset's default for the protocol (undefined: none). */
  readonly baseUrl?: string;
  readonly model: string;
  readonly assistantId?: string;
  readonly typewriter: boolean;
  readonly connectTimeoutSeconds: number;
  readonly idleTimeoutSeconds: number;
  readonly interpreter: InterpreterSetting;
  /** Responses: create background responses, so a dropped stream is resumed where it broke off. */
  readonly backgroundResponses: boolean;
  /** Chat completions (and Responses with the conversation on the client): the conversation kept and sent, in tokens. */
  readonly chatHistoryTokens: number;
  /** Responses: where the conversation is kept (`auto`: by preset, and the client after a refused previous_response_id). */
  readonly conversationState: ConversationState;
  readonly dashscopeRegion: DashScopeRegion;
}

/** Whether code runs locally for these settings (chat completions have no hosted interpreter). */
export function runsCodeLocally(s: Pick<TutorSettings, 'protocol' | 'interpreter'>): boolean {
  return s.interpreter === 'local' || (s.protocol === 'chat' && s.interpreter === 'hosted');
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): TutorSettings {
  const c = vscode.workspace.getConfiguration(section);
  const providerSetting = c.get<string>('provider');
  const provider = isProviderPreset(providerSetting) ? providerSetting : 'openai';
  const preset = presets[provider];
  // The preset's protocol unless the learner chose one (Ollama & co. speak chat completions best).
  const inspected = c.inspect<string>('protocol');
  const chosen = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  const raw = chosen ?? preset.defaultProtocol ?? c.get<string>('protocol');
  const protocol: Protocol = (protocols as readonly string[]).includes(raw ?? '') ? (raw as Protocol) : 'responses';
  const dashscopeRegion: DashScopeRegion = c.get<string>('dashscopeRegion') === 'singapore' ? 'singapore' : 'beijing';
  const baseUrl = c.get<string>('baseUrl')?.trim() || env.OPENAI_BASE_URL?.trim() || presetBaseUrl(provider, protocol, dashscopeRegion);
  const interpreterRaw = c.get<string>('interpreter');
  const interpreter: InterpreterSetting = interpreterRaw === 'local' || interpreterRaw === 'off' ? interpreterRaw : 'hosted';
  const tokens = c.get<number>('chatHistoryTokens');
  const stateRaw = c.get<string>('conversationState');
  return {
    provider,
    protocol,
    baseUrl,
    model: c.get<string>('model')?.trim() || preset.defaultModel,
    assistantId: c.get<string>('assistantId')?.trim() || undefined,
    typewriter: c.get<boolean>('typewriter', true),
    connectTimeoutSeconds: positive(c.get<number>('connectTimeoutSeconds'), 30),
    idleTimeoutSeconds: positive(c.get<number>('idleTimeoutSeconds'), 120),
    interpreter,
    backgroundResponses: c.get<boolean>('backgroundResponses', false) === true,
    chatHistoryTokens: typeof tokens === 'number' && Number.isFinite(tokens) && tokens >= 500 ? Math.floor(tokens) : defaultHistoryTokens,
    conversationState: (conversationStates as readonly string[]).includes(stateRaw ?? '') ? (stateRaw as ConversationState) : 'auto',
    dashscopeRegion,
  };
}

function positive(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

/** What createProvider needs, given the settings and the key. */
export function providerConfig(s: TutorSettings, apiKey: string): ProviderConfig {
  const preset = presets[s.provider];
  return {
    protocol: s.protocol,
    apiKey,
    baseUrl: s.baseUrl,
    model: s.model,
    assistantId: s.assistantId,
    instructionsAsMessage: preset.instructionsAsMessage,
    connectTimeoutMs: s.connectTimeoutSeconds * 1000,
    idleTimeoutMs: s.idleTimeoutSeconds * 1000,
    historyTokens: s.chatHistoryTokens,
    conversationState: conversationStateFor(s.conversationState, s.provider),
    ...(s.backgroundResponses ? { background: true } : {}),
    ...(preset.keyHeader ? { headers: { [preset.keyHeader]: apiKey } } : {}),
  };
}

/** `codeTutor.mode`: the mode a chat starts in, unless the course says otherwise. */
export function readDefaultMode(): TutorMode {
  const m = vscode.workspace.getConfiguration(section).get<string>('mode');
  return isTutorMode(m) ? m : 'explain';
}
