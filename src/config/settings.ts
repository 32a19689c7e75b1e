/** The extension's settings, read fresh each time they are needed (they can change at any moment). */
import * as vscode from 'vscode';
import type { ProviderConfig } from '../engine/createProvider';
import { type ProviderPreset, isProviderPreset, presets } from '../engine/presets';
import type { Protocol } from '../engine/provider';
import { isTutorMode, type TutorMode } from '../tutor/modes';

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
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): TutorSettings {
  const c = vscode.workspace.getConfiguration(section);
  const providerSetting = c.get<string>('provider');
  const provider = isProviderPreset(providerSetting) ? providerSetting : 'openai';
  const protocol: Protocol = c.get<string>('protocol') === 'assistants' ? 'assistants' : 'responses';
  const preset = presets[provider];
  const baseUrl = c.get<string>('baseUrl')?.trim() || env.OPENAI_BASE_URL?.trim() || preset.baseUrl[protocol];
  return {
    provider,
    protocol,
    baseUrl,
    model: c.get<string>('model')?.trim() || preset.defaultModel,
    assistantId: c.get<string>('assistantId')?.trim() || undefined,
    typewriter: c.get<boolean>('typewriter', true),
    connectTimeoutSeconds: positive(c.get<number>('connectTimeoutSeconds'), 30),
    idleTimeoutSeconds: positive(c.get<number>('idleTimeoutSeconds'), 120),
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
    ...(preset.keyHeader ? { headers: { [preset.keyHeader]: apiKey } } : {}),
  };
}

/** `codeTutor.mode`: the mode a chat starts in, unless the course says otherwise. */
export function readDefaultMode(): TutorMode {
  const m = vscode.workspace.getConfiguration(section).get<string>('mode');
  return isTutorMode(m) ? m : 'explain';
}
