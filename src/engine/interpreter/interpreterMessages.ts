/**
 * What the local interpreters say to the learner (notes in the chat) and to the model (tool results), in English
 * and Simplified Chinese. The engine has no `vscode`: the extension passes `vscode.env.language`, the CLI its locale.
 */
const en = {
  timedOut: 'The code ran longer than {0} s and was stopped (KeyboardInterrupt).',
  restarted: 'The code did not stop when interrupted, so Python was restarted: variables and imports from earlier cells are gone.',
  cancelled: 'Stopped by the learner.',
  crashed: 'Python stopped unexpectedly ({0}) and was restarted: variables and imports from earlier cells are gone.',
  memory: 'The code used more memory than allowed ({0} MB).',
  truncated: '… output truncated: {0} characters in all. The whole output is attached as {1}.',
  truncatedDropped: '… output truncated: {0} characters in all; only the first {1} were kept.',
  missingPackage:
    'The package "{0}" is not installed in Code Tutor\'s Python. Run the command "Code Tutor: Download Python Packages" (or "Install Python Packages from Folder") and ask again.',
  declined: 'The learner declined to run this code on their own Python. Do not run it again unless they ask; explain instead.',
  noOutput: '(no output)',
  skipped: 'Not run: you chose Skip.',
  startFailed: 'The Python interpreter could not start: {0}',
} as const;

export type InterpreterMessages = { readonly [K in keyof typeof en]: string };

const zhCn: InterpreterMessages = {
  timedOut: '代码运行超过 {0} 秒，已被停止（KeyboardInterrupt）。',
  restarted: '代码在中断后仍未停止，因此已重启 Python：之前单元格中的变量和导入都已丢失。',
  cancelled: '已被学习者停止。',
  crashed: 'Python 意外停止（{0}），已重新启动：之前单元格中的变量和导入都已丢失。',
  memory: '代码使用的内存超过了上限（{0} MB）。',
  truncated: '… 输出已截断：共 {0} 个字符。完整输出已作为 {1} 附上。',
  truncatedDropped: '… 输出已截断：共 {0} 个字符，只保留了前 {1} 个。',
  missingPackage:
    'Code Tutor 的 Python 中没有安装软件包“{0}”。请运行命令“Code Tutor: 下载 Python 软件包”（或“从文件夹安装 Python 软件包”），然后再问一次。',
  declined: '学习者拒绝在自己的 Python 中运行这段代码。除非学习者要求，不要再次运行；请改为讲解。',
  noOutput: '（无输出）',
  skipped: '未运行：你选择了“跳过”。',
  startFailed: 'Python 解释器无法启动：{0}',
};

/** The messages for a VS Code / POSIX locale (`zh-cn`, `zh_CN.UTF-8`, `en` …). */
export function interpreterMessages(locale?: string): InterpreterMessages {
  return locale && /^zh/i.test(locale) ? zhCn : en;
}

export function format(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}
