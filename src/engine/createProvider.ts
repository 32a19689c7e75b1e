/** Build the provider a configuration names. Shared by the extension and the CLI. */
import type { NetOptions } from './net/guardedFetch';
import type { Protocol, Provider } from './provider';
import type { AssistantsProviderOptions } from './providers/assistants/assistantsProvider';
import type { ChatProviderOptions } from './providers/chat/chatProvider';
import type { ResponsesProviderOptions } from './providers/responses/responsesProvider';
import { AssistantsProvider } from './providers/assistants/assistantsProvider';
import { ChatProvider } from './providers/chat/chatProvider';
import { ResponsesProvider } from './providers/responses/responsesProvider';
import { redactEvents } from './redaction';

export const defaultModel = 'gpt-5-mini';

export interface ProviderConfig extends ResponsesProviderOptions, AssistantsProviderOptions, ChatProviderOptions, NetOptions {
  readonly protocol: Protocol;
}

/** Check a base URL in the OPENAI_BASE_URL form; returns the reason it is unusable, or undefined. */
export function baseUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url}" is not a URL (expected something like https://api.openai.com/v1)`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `"${url}" must start with http:// or https://`;
  return undefined;
}

function protocolProvider(config: ProviderConfig): Provider {
  switch (config.protocol) {
    case 'responses':
      return new ResponsesProvider(config);
    case 'assistants':
      return new AssistantsProvider(config);
    case 'chat':
      return new ChatProvider(config);
    default: {
      const never: never = config.protocol;
      throw new Error(`unknown protocol ${String(never)}`);
    }
  }
}

/**
 * The provider a configuration names, with the key redacted from every event it yields (the one place where a
 * server's words leave the engine: chat, logs, stored chats and the CLI all read these events).
 */
export function createProvider(config: ProviderConfig): Provider {
  const inner = protocolProvider(config);
  return {
    protocol: inner.protocol,
    stream: (request, signal) => redactEvents(inner.stream(request, signal), config.apiKey),
  };
}
