/** Inside desktop VS Code: the commands exist and a question reaches the model provider; Insert edits the document. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const origin = process.env.CODE_TUTOR_FAKE_ORIGIN ?? '';

async function requests(): Promise<Array<{ path: string; body: unknown }>> {
  const res = await fetch(`${origin}/__requests`);
  const body = (await res.json()) as { requests?: Array<{ path: string; body: unknown }> } | Array<{ path: string; body: unknown }>;
  return Array.isArray(body) ? body : (body.requests ?? []);
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Code Tutor in desktop VS Code', () => {
  before(async () => {
    const ext = vscode.extensions.getExtension('code-tutor.code-tutor');
    assert.ok(ext, 'the extension is installed');
    await ext.activate();
  });

  it('registers its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['codeTutor.ask', 'codeTutor.explainSelection', 'codeTutor.setApiKey', 'codeTutor.newChat', 'codeTutor.stop']) assert.ok(all.includes(c), c);
  });

  it('Ask Assistant sends the question to the Responses API with the code interpreter', async () => {
    await vscode.commands.executeCommand('codeTutor.ask', 'What does enumerate do?');
    const req = await until(async () => (await requests()).find((r) => r.path.endsWith('/responses')));
    const body = req.body as { input: string; tools: Array<{ type: string }>; stream: boolean };
    assert.equal(body.input, 'What does enumerate do?');
    assert.equal(body.stream, true);
    assert.equal(body.tools[0].type, 'code_interpreter');
  });

  it('Explain Selection sends the selected code with its file and lines', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'primes.py'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 3, 0);
    const selected = doc.getText(editor.selection);
    await vscode.commands.executeCommand('codeTutor.explainSelection');
    const req = await until(async () => (await requests()).find((r) => r.path.endsWith('/responses') && JSON.stringify(r.body).includes('primes.py')));
    const input = (req.body as { input: string }).input;
    assert.ok(input.includes(selected), 'the selected code is in the question');
    assert.match(input, /lines 1-3/);
  });
});
