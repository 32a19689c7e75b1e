/**
 * The terminal client on the same engine as the extension:
 *   node dist/cli.js ask "<question>" [--protocol responses|assistants|chat] [--interpreter hosted|local|off]
 *     [--local-interpreter pyodide|python] [--base-url URL] [--model M] [--transcript]
 *     [--mode explain|hint|review] [--course .codetutor.json] [--predict] [--quiz] [--conversation-state auto|server|client]
 *     [--background]
 * Exit codes: 0 completed, 1 failed or incomplete, 2 bad usage, 130 interrupted (Ctrl-C keeps what arrived).
 */
import { readFileSync, statSync } from 'node:fs';
import { type LocalInterpreterKind, createCliInterpreter, localInterpreterKinds } from './cli/localInterpreter';
import { cliMessages, format } from './cli/messages';
import { baseUrlProblem, createProvider, defaultModel } from './engine/createProvider';
import { type Protocol, protocols } from './engine/provider';
import { type ConversationState, conversationStates } from './engine/providers/responses/clientConversation';
import type { LocalInterpreter } from './engine/interpreter/localInterpreter';
import { RunStream } from './engine/runStream';
import type { CodeOutput } from './shared/events';
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';
import { base64ByteLength, itemById, reduce, type RunTranscript, toTranscriptJson } from './shared/transcript';
import { type CourseProblem, type CourseRules, defaultRules, effectiveMode, maxCourseFileBytes, parseCourseRules } from './tutor/courseRules';
import { isTutorMode, type TutorMode } from './tutor/modes';
import { guardedProvider, tutorRequest } from './tutor/tutorRun';
import { remarkTool } from './tutor/review/remarkTool';
import type { Remark } from './shared/remark';
import type { ConversationRef, RunRequest } from './engine/provider';
import type { PredictionRecord } from './shared/learner';
import { quizToolName } from './shared/quiz';
import { predictionNotes } from './tutor/predict/predictionNotes';
import { quizInstruction, quizTool } from './tutor/quiz/quizTool';
import { predictOnTerminal } from './cli/predictOnTerminal';
import { type QuizOutcome, quizOnTerminal } from './cli/quizOnTerminal';
import { TerminalInput } from './cli/terminalInput';
import { TerminalScreen } from './cli/terminalScreen';

const msg = cliMessages();

interface CliArgs {
  question: string;
  protocol: Protocol;
  baseUrl?: string;
  model: string;
  transcript: boolean;
  mode?: TutorMode;
  course?: string;
  /** hosted: the server's code interpreter (chat has none: there it means local); local: run_python here; off: none. */
  interpreter: 'hosted' | 'local' | 'off';
  localInterpreter: LocalInterpreterKind;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Ask for a prediction before each piece of code's output is shown (interactive output only). */
  predict: boolean;
  /** After a completed answer, "Check my understanding": a quiz judged here. */
  quiz: boolean;
  /** Responses: where the conversation (tool rounds, the quiz follow-up) is kept. No preset here, so `auto` is the server with the fallback. */
  conversationState: ConversationState;
  /** Responses: background responses, resumed after a dropped connection. */
  background: boolean;
}

class UsageError extends Error {}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliArgs {
  const [command, ...rest] = argv;
  if (command !== 'ask') throw new UsageError(command === undefined || command === '--help' || command === '-h' ? '' : format(msg.unknownOption, command));
  const words: string[] = [];
  let protocol: Protocol = 'responses';
  let baseUrl = env.OPENAI_BASE_URL || undefined;
  let model = env.CODE_TUTOR_MODEL || defaultModel;
  let transcript = false;
  let mode: TutorMode | undefined;
  let course: string | undefined;
  let interpreter: CliArgs['interpreter'] | undefined;
  let localInterpreter: LocalInterpreterKind = 'pyodide';
  let connectTimeoutMs: number | undefined;
  let idleTimeoutMs: number | undefined;
  let predict = false;
  let quiz = false;
  let conversationState: ConversationState = 'auto';
  let background = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? rest[++i];
      if (v === undefined || v === '') throw new UsageError(format(msg.missingValue, flag));
      return v;
    };
    switch (flag) {
      case '--protocol': {
        const p = value();
        if (!(protocols as readonly string[]).includes(p)) throw new UsageError(format(msg.badProtocol, p));
        protocol = p as Protocol;
        break;
      }
      case '--base-url':
        baseUrl = value();
        break;
      case '--model':
        model = value();
        break;
      case '--transcript':
        transcript = true;
        break;
      case '--predict':
        predict = true;
        break;
      case '--quiz':
        quiz = true;
        break;
      case '--background':
        background = true;
        break;
      case '--mode': {
        const m = value();
        if (!isTutorMode(m)) throw new UsageError(format(msg.badMode, m));
        mode = m;
        break;
      }
      case '--course':
        course = value();
        break;
      case '--interpreter': {
        const v = value();
        if (v !== 'hosted' && v !== 'local' && v !== 'off') throw new UsageError(format(msg.badInterpreter, v));
        interpreter = v;
        break;
      }
      case '--conversation-state': {
        const v = value();
        if (!(conversationStates as readonly string[]).includes(v)) throw new UsageError(format(msg.badConversationState, v));
        conversationState = v as ConversationState;
        break;
      }
      case '--local-interpreter': {
        const v = value();
        if (!(localInterpreterKinds as readonly string[]).includes(v)) throw new UsageError(format(msg.badLocalInterpreter, v));
        localInterpreter = v as LocalInterpreterKind;
        break;
      }
      case '--connect-timeout':
      case '--idle-timeout': {
        const v = value();
        const secs = Number(v);
        if (!Number.isFinite(secs) || secs <= 0) throw new UsageError(format(msg.badSeconds, flag, v));
        if (flag === '--connect-timeout') connectTimeoutMs = secs * 1000;
        else idleTimeoutMs = secs * 1000;
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(format(msg.unknownOption, a));
        words.push(a);
    }
  }
  const question = words.join(' ').trim();
  if (!question) throw new UsageError(msg.noQuestion);
  if (predict && transcript) throw new UsageError(msg.predictWithTranscript);
  if (baseUrl) {
    const problem = baseUrlProblem(baseUrl);
    if (problem) throw new UsageError(problem);
  }
  return {
    question,
    protocol,
    baseUrl,
    model,
    transcript,
    mode,
    course,
    interpreter: interpreter ?? (protocol === 'chat' ? 'local' : 'hosted'),
    localInterpreter,
    connectTimeoutMs,
    idleTimeoutMs,
    predict,
    quiz,
    conversationState,
    background,
  };
}

function problemText(p: CourseProblem): string {
  switch (p.kind) {
    case 'tooLarge':
      return format(msg.problem.tooLarge, String(p.bytes));
    case 'badJson':
      return format(msg.problem.badJson, p.detail);
    case 'notObject':
      return msg.problem.notObject;
    case 'unknownField':
      return format(msg.problem.unknownField, p.field);
    case 'badField':
      return format(msg.problem.badField, p.field, p.expected);
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** The course rules of `--course FILE`; a file that cannot be used is a usage error that names the problem. */
export function readCourse(file: string | undefined): CourseRules {
  if (!file) return defaultRules;
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > maxCourseFileBytes) throw new UsageError(format(msg.courseProblem, file, problemText({ kind: 'tooLarge', bytes: size })));
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(format(msg.courseUnreadable, file, e instanceof Error ? e.message : String(e)));
  }
  const parsed = parseCourseRules(text);
  if (!parsed.ok) throw new UsageError(format(msg.courseProblem, file, problemText(parsed.problem)));
  return parsed.rules;
}

function describeOutput(o: CodeOutput): string {
  if (o.type === 'logs') return o.text;
  if (o.type === 'image') return `[${msg.image}: ${o.mime}, ${base64ByteLength(o.base64)} ${msg.bytes}]`;
  return `[${msg.file}: ${o.name}, ${o.mime}, ${o.bytes} ${msg.bytes}]`;
}

async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  let rules: CourseRules;
  let mode: TutorMode;
  try {
    args = parseArgs(argv, process.env);
    rules = readCourse(args.course);
    const effective = effectiveMode(rules, 'explain', args.mode);
    if (args.mode && effective.mode !== args.mode) throw new UsageError(format(msg.modeNotAllowed, args.mode, effective.allowed.join(', ')));
    mode = effective.mode;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) process.stderr.write(`${e.message}\n\n`);
    process.stderr.write(`${format(msg.usage, defaultModel)}\n`);
    return 2;
  }
  const apiKey = process.env.OPENAI_API_KEY;
  if (!apiKey) {
    process.stderr.write(`${msg.noKey}\n`);
    return 2;
  }
  let provider;
  const net = proxied(process.env);
  try {
    provider = createProvider({
      protocol: args.protocol,
      apiKey,
      baseUrl: args.baseUrl,
      model: args.model,
      connectTimeoutMs: args.connectTimeoutMs,
      idleTimeoutMs: args.idleTimeoutMs,
      conversationState: args.conversationState,
      ...(args.background ? { background: true } : {}),
      ...net,
    });
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }

  const tutor = { mode, rules };
  // Review remarks are printed as they are accepted (and kept in --transcript as remark items).
  const printRemark = (r: Remark) => {
    if (!args.transcript) process.stdout.write(`\n${format(msg.remark, String(r.line), r.severity, r.message)}\n`);
  };
  // The learner's answers (predictions, the quiz, consent for their own Python) come in on standard input.
  const input = new TerminalInput();
  // Chat completions have no hosted interpreter: there, code always runs locally (unless it is off).
  const wantsLocal = args.interpreter === 'local' || (args.protocol === 'chat' && args.interpreter === 'hosted');
  let local: LocalInterpreter | undefined;
  if (wantsLocal) {
    local = await createCliInterpreter(args.localInterpreter, input);
    if (!local) process.stderr.write(`${format(msg.interpreterUnavailable, args.localInterpreter)}\n`);
  }
  // Chat completions are stateless: the provider hands back the conversation a follow-up (the quiz) continues.
  let conversation: ConversationRef = {};
  const ask = (question: string, extra: Partial<RunRequest> = {}): RunStream =>
    RunStream.start(
      guardedProvider(provider, tutor).provider,
      tutorRequest(
        {
          question: { text: question },
          conversation,
          onConversation: (c) => (conversation = { ...conversation, ...c }),
          // Review mode: the tutor comments through add_remark; the remarks are printed and kept in --transcript.
          ...(mode === 'review' ? { tools: [remarkTool({ startLine: 1, endLine: 100_000 }, printRemark)] } : {}),
          codeInterpreter: args.interpreter !== 'off' && !(wantsLocal && !local),
          ...(local ? { localInterpreter: local } : {}),
          ...extra,
        },
        tutor,
      ),
    );
  let run = ask(args.question);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      // A second Ctrl-C leaves at once (the cancel request may still be on its way), with what arrived.
      report(reduce(run.transcript, { kind: 'run.finished', status: 'cancelled' }));
      process.exit(130);
    }
    interrupted = true;
    run.abort();
  };
  process.on('SIGINT', onSigint);

  const screen = new TerminalScreen();
  watch(run, args.transcript ? undefined : screen, mode);
  // After watch: the question comes once the code is printed whole.
  const predictions = !args.transcript && (args.predict || rules.predictBeforeRun) ? predictOnTerminal(run, screen, input, msg) : new Map<string, PredictionRecord>();

  const report = (t: RunTranscript, quiz?: QuizOutcome): void => {
    if (args.transcript) {
      process.stdout.write(`${JSON.stringify({ ...toTranscriptJson(t), ...(quiz ? { quiz: quizJson(quiz) } : {}) })}\n`);
    } else {
      if (t.items.length) process.stdout.write('\n');
      if (t.status === 'cancelled') process.stderr.write(`${interrupted ? msg.stopped : msg.cancelledByServer}\n`);
      if (t.status === 'incomplete') process.stderr.write(`${format(msg.incomplete, t.reason ?? '')}\n`);
    }
    if (t.error) process.stderr.write(`${format(msg.error[t.error.kind], t.error.message)}\n`);
  };
  const t = await run.done();
  await screen.drained();
  let quiz: QuizOutcome | undefined;
  let quizRun: RunTranscript | undefined;
  if (args.quiz && t.status === 'completed') {
    // "Check my understanding": the same conversation, with the quiz tool; predictions made go with it.
    if (t.responseId || t.threadId) conversation = { ...conversation, ...(t.responseId ? { responseId: t.responseId } : {}), ...(t.threadId ? { threadId: t.threadId } : {}), ...(t.assistantId ? { assistantId: t.assistantId } : {}) };
    const notes = predictionNotes([{ id: 'answer', question: { text: args.question }, run: t, learner: { predictBeforeRun: true, predictions: Object.fromEntries(predictions) } }]);
    run = ask(`${quizInstruction}${notes.text}`, { tools: [quizTool()] });
    watch(run, args.transcript ? undefined : screen, mode);
    quizRun = await run.done();
    await screen.drained();
    if (quizRun.status === 'completed') {
      // The questions go where the learner reads: stdout, or stderr when stdout carries the JSON transcript.
      const out = args.transcript ? process.stderr : process.stdout;
      quiz = await quizOnTerminal(quizRun, input, (s) => out.write(s), msg);
    }
  } else if (args.quiz && !args.transcript) {
    process.stderr.write(`${msg.quizNeedsAnswer}\n`);
  }
  process.off('SIGINT', onSigint);
  input.close();
  local?.dispose();
  report(t, quiz);
  if (quizRun && quizRun.status !== 'completed') report(quizRun);
  // The proxy agent keeps its sockets alive (and the process with them): close it.
  await net.dispatcher?.destroy().catch(() => undefined);
  if (t.status === 'completed' && (!quizRun || quizRun.status === 'completed')) return 0;
  // 130 is for Ctrl-C; a run the server cancelled is a failure like any other.
  if ((quizRun ?? t).status === 'cancelled' && interrupted) return 130;
  return 1;
}

/** The quiz as kept in --transcript: the questions (with their answers), what the learner answered, the score. */
function quizJson(q: QuizOutcome): unknown {
  if (!q.ok) return { problem: q.problem };
  return { questions: q.quiz.questions, answers: q.answers, score: q.score };
}

/** Print a run as it streams (nothing when screen is undefined: --transcript prints only at the end). */
function watch(run: RunStream, screen: TerminalScreen | undefined, mode: TutorMode): void {
  // Retries are announced on stderr in both modes: the wait would otherwise look like a hang.
  run.on('event', (e) => {
    if (e.kind === 'run.retrying') process.stderr.write(`${format(msg.retrying, e.reason, String(Math.max(1, Math.round(e.delayMs / 1000))), String(e.attempt))}\n`);
  });
  if (!screen) return;
  const write = (s: string) => screen.write(s);
  const newline = () => screen.newline();
  const printedCode = new Map<string, number>();
  run
    .on('textCreated', (t) => {
      newline();
      if (t.refusal) write(`${msg.refusal}\n`);
    })
    .on('textDelta', (d) => write(d))
    .on('codeCreated', (c) => {
      newline();
      write(`\n── ${msg.code} (${c.language}${c.runtime && c.runtime !== 'hosted' ? `, ${c.runtime}` : ''}) ──\n`);
    })
    .on('event', (e, snapshot) => {
      if (e.kind === 'thinking.delta') {
        const item = itemById(snapshot, e.id);
        if (item?.type === 'thinking' && item.text === e.delta) {
          newline();
          write(`── ${msg.thinking} ──\n`);
        }
        write(e.delta);
      } else if (e.kind === 'notice') {
        newline();
        write(`[${msg.notice[e.notice]}]\n`);
      }
    })
    .on('codeDelta', (d) => write(d))
    // In hint and review mode short code arrives whole at the end: print what the deltas did not.
    .on('codeDone', (c) => write(c.code.slice(printedCode.get(c.id) ?? 0)))
    .on('event', (e) => {
      if (e.kind === 'code.delta') printedCode.set(e.id, (printedCode.get(e.id) ?? 0) + e.delta.length);
      if (e.kind === 'withheld' || e.kind === 'code.withheld') {
        newline();
        write(`${format(msg.withheld, String(e.lines), e.kind === 'withheld' ? e.language || '?' : 'python', String(e.limit), mode)}\n`);
      }
    })
    .on('output', (o) => {
      newline();
      write(`── ${msg.output} ──\n`);
      write(describeOutput(o));
      newline();
    })
    .on('toolCallCreated', (t) => {
      // The quiz's arguments hold its answers: the questions are asked after the run, never printed with them.
      if (t.name === quizToolName) return;
      newline();
      write(`── ${msg.tool}: ${t.name}(${t.arguments}) ──\n`);
    });
}

/**
 * undici's proxy agent, with undici's own fetch (a dispatcher must match its fetch), when HTTPS_PROXY / HTTP_PROXY
 * (and NO_PROXY) are set: Node's fetch ignores them. The extension needs none of this: VS Code routes the extension
 * host's fetch through `http.proxy`.
 */
function proxied(env: NodeJS.ProcessEnv): { dispatcher?: EnvHttpProxyAgent; fetch?: typeof fetch } {
  const set = (k: string) => Boolean(env[k] || env[k.toLowerCase()]);
  if (!set('HTTPS_PROXY') && !set('HTTP_PROXY')) return {};
  return { dispatcher: new EnvHttpProxyAgent(), fetch: undiciFetch as unknown as typeof fetch };
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
