/** The terminal client's strings, English and Simplified Chinese, picked from LC_ALL / LC_MESSAGES / LANG. */
const en = {
  usage: `Usage: code-tutor ask "<question>" [--protocol responses|assistants|chat] [--interpreter hosted|local|off]
                         [--local-interpreter pyodide|python] [--base-url URL] [--model MODEL] [--transcript]
                         [--mode explain|hint|review] [--course FILE] [--predict] [--quiz]
                         [--conversation-state auto|server|client] [--background]

  --protocol     wire protocol (default: responses); chat = /chat/completions with code run locally
  --interpreter  hosted: the server's code interpreter (default; with chat, code runs locally),
                 local: run code here (run_python), off: no code runs
  --local-interpreter  where local code runs: pyodide (sandboxed, default) or python (your own Python)
  --base-url     server base URL, same form as OPENAI_BASE_URL (default: $OPENAI_BASE_URL, else OpenAI)
  --model        model name (default: $CODE_TUTOR_MODEL, else %s)
  --transcript   print only one line of JSON when the run ends
  --mode         explain | hint | review (default: the course's defaultMode, else explain)
  --course       a course rules file (.codetutor.json)
  --predict      before each piece of code's output, ask what you think it prints (also the course's predictBeforeRun)
  --quiz         after the answer, check your understanding with 1-3 short questions, judged here
  --conversation-state  responses: where the conversation (tool rounds, the quiz) is kept: server
                 (previous_response_id), client (the whole input each time, store: false) or auto (default:
                 the server, the client once it refuses previous_response_id)
  --background   responses protocol: a background response, picked up where it broke off if the connection drops
                 (Ctrl-C cancels it on the server; needs a server with background mode, e.g. OpenAI)
  --connect-timeout S   give up when the server sends no answer for S seconds (default 30)
  --idle-timeout S      give up when a started answer stalls for S seconds (default 120)

The API key is read from OPENAI_API_KEY. HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured.`,
  noKey: 'No API key: set the OPENAI_API_KEY environment variable.',
  noQuestion: 'Ask a question: code-tutor ask "<question>".',
  unknownOption: 'Unknown option %s.',
  missingValue: 'Option %s needs a value.',
  badProtocol: 'Unknown protocol "%s": use responses, assistants or chat.',
  badInterpreter: 'Unknown interpreter "%s": use hosted, local or off.',
  badLocalInterpreter: 'Unknown local interpreter "%s": use pyodide or python.',
  badConversationState: 'Unknown conversation state "%s": use auto, server or client.',
  interpreterUnavailable: 'The %s interpreter is not available in this build: answering without running code.',
  confirmRun: 'Run this code with your own Python? [r]un / [s]kip / [a]lways: ',
  remark: 'Remark, line %s (%s): %s',
  thinking: 'thinking',
  notice: { noCodeTool: "This model can't run code here, so the tutor answers without the interpreter." },
  code: 'code',
  output: 'output',
  image: 'image',
  file: 'file',
  bytes: 'bytes',
  tool: 'tool',
  stopped: '[stopped — the run was cancelled; what arrived is kept above]',
  cancelledByServer: '[the server cancelled the run; what arrived is kept above]',
  badSeconds: 'Option %s needs a number of seconds, not "%s".',
  incomplete: '[the answer is incomplete: %s]',
  badMode: 'Unknown mode "%s": use explain, hint or review.',
  modeNotAllowed: 'The course does not allow %s mode; it allows: %s.',
  courseUnreadable: 'Cannot read the course file %s: %s',
  courseProblem: 'The course file %s is not usable: %s',
  withheld: '[withheld: %s lines of %s code, longer than the %s lines %s mode shows]',
  problem: {
    tooLarge: 'the file is too large (%s bytes)',
    badJson: 'it is not valid JSON (%s)',
    notObject: 'it must be a JSON object ({ … })',
    unknownField: 'unknown field "%s"',
    badField: '"%s" must be %s',
  },
  error: {
    auth: 'The server rejected the API key (%s). Check OPENAI_API_KEY.',
    rate_limit: 'Rate limited by the server (%s). Wait a moment and try again.',
    quota: 'The account is out of quota (%s). Check your plan and billing.',
    network: 'Could not reach the server (%s). Check the base URL and your connection.',
    server: 'The server failed (%s). Try again later.',
    bad_request: 'The server did not accept the request (%s).',
    not_found: 'Not found (%s). Check the base URL and the model name.',
    tool_unsupported: 'This server does not offer the code interpreter tool (%s).',
    protocol: 'The server broke the streaming protocol (%s).',
    usage: '%s',
    content_filter: "The provider's content filter stopped the answer (%s). Rephrase the question.",
    timeout: 'The server did not answer in time (%s). Try again; for a slow local model raise --connect-timeout / --idle-timeout.',
    region: 'The provider does not serve your country, region or territory (%s). Use another provider or --base-url.',
    too_large: 'The request is too large for the server (%s). Ask with less text.',
    conflict: 'The server is still busy with this conversation (%s). Try again in a moment.',
    not_api: 'This address is not an API server: it answered with a web page (%s). Check --base-url, or sign in to the network first.',
  },
  retrying: '[the server did not answer (%s); trying again in %s s, attempt %s]',
  refusal: '[the tutor declined to answer]',
  predictPrompt: 'What do you think this prints? (Enter: just show me)',
  predictSkipped: 'You chose to see the output without predicting.',
  predictVerdict: 'You predicted: %s\nIt printed: %s\n→ %s',
  predictMatch: 'Match',
  predictNoMatch: 'No match',
  quizTitle: 'Check your understanding',
  quizMalformed: 'The tutor sent a quiz that could not be shown:',
  quizMissing: 'The tutor answered without a quiz. Ask again with --quiz, or ask it for questions.',
  quizChoose: 'Your answer (number or text):',
  quizYourAnswer: 'Your answer:',
  quizNoAnswer: '(no answer)',
  quizRight: 'Right!',
  quizWrong: 'Not quite.',
  quizAnswerWas: 'The answer: %s',
  quizScore: 'Score: %s of %s',
  quizNeedsAnswer: '[no quiz: the answer did not complete]',
  predictWithTranscript: '--predict asks on the terminal as the output streams; it cannot be used with --transcript.',
};

type Messages = typeof en;

const zhCn: Messages = {
  usage: `用法: code-tutor ask "<问题>" [--protocol responses|assistants|chat] [--interpreter hosted|local|off]
                         [--local-interpreter pyodide|python] [--base-url URL] [--model 模型] [--transcript]
                         [--mode explain|hint|review] [--course 文件] [--predict] [--quiz]
                         [--conversation-state auto|server|client] [--background]

  --protocol     线路协议（默认: responses）；chat = /chat/completions，代码在本地运行
  --interpreter  hosted: 服务器的代码解释器（默认；使用 chat 时代码在本地运行），
                 local: 在本机运行代码（run_python），off: 不运行代码
  --local-interpreter  本地代码的运行位置: pyodide（沙箱，默认）或 python（你自己的 Python）
  --base-url     服务器基础 URL，格式同 OPENAI_BASE_URL（默认: $OPENAI_BASE_URL，否则为 OpenAI）
  --model        模型名称（默认: $CODE_TUTOR_MODEL，否则为 %s）
  --transcript   运行结束时只输出一行 JSON
  --mode         explain | hint | review（默认: 课程的 defaultMode，否则为 explain）
  --course       课程规则文件（.codetutor.json）
  --predict      每段代码的输出显示之前，先请你预测它会打印什么（课程的 predictBeforeRun 也会开启）
  --quiz         回答之后，用 1-3 个小问题检查你的理解，在本机判分
  --conversation-state  responses: 对话（工具调用轮次、测验）保存在哪里: server（previous_response_id）、
                 client（每次发送完整输入，store: false）或 auto（默认: 服务器，服务器拒绝 previous_response_id 后改为客户端）
  --background   responses 协议: 以后台模式创建回答，连接中断时从断开处继续接收
                 （Ctrl-C 会在服务器上取消它；需要支持后台模式的服务器，例如 OpenAI）
  --connect-timeout S   服务器 S 秒内没有应答则放弃（默认 30）
  --idle-timeout S      已开始的回答停顿 S 秒则放弃（默认 120）

API 密钥从 OPENAI_API_KEY 读取。支持 HTTPS_PROXY / HTTP_PROXY / NO_PROXY。`,
  noKey: '没有 API 密钥: 请设置环境变量 OPENAI_API_KEY。',
  noQuestion: '请提出问题: code-tutor ask "<问题>"。',
  unknownOption: '未知选项 %s。',
  missingValue: '选项 %s 需要一个值。',
  badProtocol: '未知协议 "%s": 请使用 responses、assistants 或 chat。',
  badInterpreter: '未知解释器 "%s": 请使用 hosted、local 或 off。',
  badLocalInterpreter: '未知本地解释器 "%s": 请使用 pyodide 或 python。',
  badConversationState: '未知对话状态 "%s": 请使用 auto、server 或 client。',
  interpreterUnavailable: '此版本中没有 %s 解释器: 将不运行代码作答。',
  confirmRun: '用你自己的 Python 运行这段代码吗？[r] 运行 / [s] 跳过 / [a] 总是: ',
  remark: '批注，第 %s 行（%s）：%s',
  thinking: '思考',
  notice: { noCodeTool: '此模型无法在这里运行代码，导师将不使用解释器作答。' },
  code: '代码',
  output: '输出',
  image: '图像',
  file: '文件',
  bytes: '字节',
  tool: '工具',
  stopped: '[已停止 — 运行已取消；已收到的内容保留在上方]',
  cancelledByServer: '[服务器取消了这次运行；已收到的内容保留在上方]',
  badSeconds: '选项 %s 需要一个秒数，而不是 "%s"。',
  incomplete: '[回答不完整: %s]',
  badMode: '未知模式 "%s": 请使用 explain、hint 或 review。',
  modeNotAllowed: '课程不允许 %s 模式；允许的模式: %s。',
  courseUnreadable: '无法读取课程文件 %s: %s',
  courseProblem: '课程文件 %s 不可用: %s',
  withheld: '[已隐藏: %s 行 %s 代码，超过了 %s 行（%s 模式的上限）]',
  problem: {
    tooLarge: '文件过大（%s 字节）',
    badJson: '不是有效的 JSON（%s）',
    notObject: '必须是一个 JSON 对象（{ … }）',
    unknownField: '未知字段 "%s"',
    badField: '"%s" 必须是 %s',
  },
  error: {
    auth: '服务器拒绝了 API 密钥（%s）。请检查 OPENAI_API_KEY。',
    rate_limit: '服务器限流（%s）。请稍候再试。',
    quota: '账户额度已用完（%s）。请检查套餐与账单。',
    network: '无法连接服务器（%s）。请检查基础 URL 与网络。',
    server: '服务器出错（%s）。请稍后再试。',
    bad_request: '服务器不接受该请求（%s）。',
    not_found: '未找到（%s）。请检查基础 URL 与模型名称。',
    tool_unsupported: '该服务器不提供代码解释器工具（%s）。',
    protocol: '服务器违反了流式协议（%s）。',
    usage: '%s',
    content_filter: '服务商的内容过滤器中止了回答（%s）。请换一种问法。',
    timeout: '服务器没有及时回应（%s）。请重试；较慢的本地模型可调大 --connect-timeout / --idle-timeout。',
    region: '该服务商不支持你所在的国家、地区或领土（%s）。请使用其他服务商或 --base-url。',
    too_large: '请求对服务器来说太大（%s）。请用更短的文字提问。',
    conflict: '服务器仍在处理这个对话（%s）。请稍后再试。',
    not_api: '该地址不是 API 服务器：它返回了一个网页（%s）。请检查 --base-url，或先登录网络。',
  },
  retrying: '[服务器未应答（%s）；%s 秒后重试，第 %s 次]',
  refusal: '[导师拒绝回答]',
  predictPrompt: '你认为这会打印什么？（直接回车：直接告诉我）',
  predictSkipped: '你选择了不预测，直接查看输出。',
  predictVerdict: '你的预测: %s\n实际输出: %s\n→ %s',
  predictMatch: '一致',
  predictNoMatch: '不一致',
  quizTitle: '检查你的理解',
  quizMalformed: '导师发送的测验无法显示:',
  quizMissing: '导师的回答里没有测验。请再次使用 --quiz 提问，或直接请它出题。',
  quizChoose: '你的答案（序号或文字）:',
  quizYourAnswer: '你的答案:',
  quizNoAnswer: '（未作答）',
  quizRight: '正确！',
  quizWrong: '不太对。',
  quizAnswerWas: '答案: %s',
  quizScore: '得分: %s / %s',
  quizNeedsAnswer: '[没有测验: 回答没有完成]',
  predictWithTranscript: '--predict 会在输出流式显示时在终端提问，不能与 --transcript 一起使用。',
};

export function cliMessages(env: NodeJS.ProcessEnv = process.env): Messages {
  const lang = (env.LC_ALL || env.LC_MESSAGES || env.LANG || '').toLowerCase();
  return lang.startsWith('zh') ? zhCn : en;
}

/** printf-style `%s` substitution, in order. */
export function format(template: string, ...args: string[]): string {
  let i = 0;
  return template.replace(/%s/g, () => args[i++] ?? '');
}
