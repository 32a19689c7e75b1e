/**
 * `run_python` as a function tool on a Responses server without a hosted interpreter (Ollama's and LM Studio's
 * `/v1/responses`, OpenRouter): interpreter "local". The Responses mapper sees an ordinary function call; this
 * watches the same wire events and shows the call as a code block instead, its `code` argument streaming as partial
 * JSON while the arguments arrive. Pure: no I/O (the shell runs the code).
 */
import type { CodeRuntime } from '../../../shared/events';
import type { MapperEvent } from '../../mapperEvents';
import { codeOfArguments, codeToolName, worthReparsing } from '../chat/chatMapper';
import { runPythonDescription, runPythonParameters } from '../chat/runPythonTool';

/** The Responses tool definition. */
export const runPythonResponsesTool = { type: 'function' as const, name: codeToolName, description: runPythonDescription, parameters: runPythonParameters, strict: false };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class RunPythonStreamer {
  private readonly calls = new Map<string, { args: string; shown: string; parsedAt: number }>();

  constructor(private readonly runtime: CodeRuntime) {}

  /** Code events for a raw wire event (a run_python call appearing, its arguments growing). */
  observe(wire: unknown): MapperEvent[] {
    if (!isObject(wire)) return [];
    const out: MapperEvent[] = [];
    if (wire.type === 'response.output_item.added' && isObject(wire.item) && wire.item.type === 'function_call' && wire.item.name === codeToolName && typeof wire.item.id === 'string') {
      if (!this.calls.has(wire.item.id)) {
        this.calls.set(wire.item.id, { args: '', shown: '', parsedAt: 0 });
        out.push({ kind: 'code.started', id: wire.item.id, language: 'python', runtime: this.runtime });
      }
    } else if (wire.type === 'response.function_call_arguments.delta' && typeof wire.item_id === 'string' && typeof wire.delta === 'string') {
      const call = this.calls.get(wire.item_id);
      if (call) {
        call.args += wire.delta;
        if (!worthReparsing(call.args.length, call.parsedAt)) return out;
        call.parsedAt = call.args.length;
        const code = codeOfArguments(call.args, true);
        if (code !== undefined && code.length > call.shown.length && code.startsWith(call.shown)) {
          out.push({ kind: 'code.delta', id: wire.item_id, delta: code.slice(call.shown.length) });
          call.shown = code;
        }
      }
    }
    return out;
  }

  /** The mapper's `tool.call` for run_python becomes the block's final code; everything else passes. */
  convert(m: MapperEvent): MapperEvent[] {
    if (m.kind !== 'tool.call' || m.call.name !== codeToolName) return [m];
    const out: MapperEvent[] = [];
    if (!this.calls.has(m.id)) {
      this.calls.set(m.id, { args: m.call.arguments, shown: '', parsedAt: 0 });
      out.push({ kind: 'code.started', id: m.id, language: 'python', runtime: this.runtime });
    }
    const call = this.calls.get(m.id);
    const shown = call?.shown ?? '';
    const code = codeOfArguments(m.call.arguments, false) ?? shown;
    if (code.length > shown.length && code.startsWith(shown)) out.push({ kind: 'code.delta', id: m.id, delta: code.slice(shown.length) });
    if (call) call.shown = code;
    out.push({ kind: 'code.done', id: m.id, code });
    return out;
  }
}
