/**
 * A function tool the tutor may call during a run. The engine runs it and sends the result back to the model;
 * the extension supplies read-only workspace tools, the CLI its own.
 */
export interface FunctionTool {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Record<string, unknown>;
  /** Returns the text sent back to the model. Throwing (or a bad argument) becomes an error result, never a crash. */
  run(args: Record<string, unknown>, signal?: AbortSignal): Promise<string>;
}

export interface ToolOutcome {
  readonly output: string;
  readonly isError: boolean;
}

/** Run one call by name with raw JSON arguments; every failure becomes an error result the model can read. */
export async function runToolCall(tools: readonly FunctionTool[], name: string, rawArgs: string, signal?: AbortSignal): Promise<ToolOutcome> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) return { output: `Error: unknown tool "${name}". Available: ${tools.map((t) => t.name).join(', ') || 'none'}.`, isError: true };
  let args: unknown;
  try {
    args = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
  } catch {
    return { output: `Error: the arguments of ${name} are not valid JSON.`, isError: true };
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return { output: `Error: the arguments of ${name} must be a JSON object.`, isError: true };
  }
  try {
    return { output: await tool.run(args as Record<string, unknown>, signal), isError: false };
  } catch (e) {
    return { output: `Error: ${e instanceof Error ? e.message : String(e)}`, isError: true };
  }
}
