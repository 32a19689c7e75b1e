/** The extension's settings, read fresh each time they are needed (they can change at any moment). */
import * as vscode from 'vscode';
import { defaultModel } from '../engine/createProvider';
import type { Protocol } from '../engine/provider';

export const section = 'codeTutor';

export interface TutorSettings {
  readonly protocol: Protocol;
  /** Explicit setting, else OPENAI_BASE_URL, else undefined (the SDK's OpenAI default). */
  readonly baseUrl?: string;
  readonly model: string;
  readonly typewriter: boolean;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): TutorSettings {
  const c = vscode.workspace.getConfiguration(section);
  const baseUrl = c.get<string>('baseUrl')?.trim() || env.OPENAI_BASE_URL?.trim() || undefined;
  const protocol = c.get<string>('protocol') === 'assistants' ? 'assistants' : 'responses';
  return {
    protocol,
    baseUrl,
    model: c.get<string>('model')?.trim() || defaultModel,
    typewriter: c.get<boolean>('typewriter', true),
  };
}
