/**
 * The Python program that keeps one namespace alive in the learner's own Python (cpythonInterpreter.ts). It reads
 * one JSON command per line on the pipe it was given as fd 0 (then points the code's stdin at /dev/null), runs each
 * cell in the same namespace, and reports on fd 3 as JSON lines: text the cell prints (sys.stdout / sys.stderr,
 * in order), images from plt.show(), and `done` with the error if any. SIGINT raises KeyboardInterrupt in the cell.
 */
import { PYTHON_PRELUDE } from '../pythonPrelude';

export const DRIVER_SOURCE = String.raw`
import base64, json, os, sys, traceback

_ct_cmd = os.fdopen(os.dup(0), 'rb')
_ct_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_ct_null, 0)
sys.stdin = open(os.devnull)
_ct_out = os.fdopen(3, 'w', encoding='utf-8', buffering=1)

def _ct_send(**frame):
    _ct_out.write(json.dumps(frame) + '\n')
    _ct_out.flush()

class _CtStream:
    encoding = 'utf-8'
    errors = 'replace'
    def __init__(self, name):
        self.name = name
    def write(self, text):
        if text:
            _ct_send(t='stream', s=self.name, d=str(text))
        return len(text)
    def flush(self):
        pass
    def isatty(self):
        return False
    def fileno(self):
        return 1 if self.name == 'stdout' else 2
    def writable(self):
        return True

sys.stdout = _CtStream('stdout')
sys.stderr = _CtStream('stderr')

def _codetutor_emit_image(mime, data):
    _ct_send(t='image', mime=mime, b64=base64.b64encode(bytes(data)).decode('ascii'))

import builtins
builtins._codetutor_emit_image = _codetutor_emit_image

_ct_ns = {'__name__': '__main__'}
exec(compile(${JSON.stringify(PYTHON_PRELUDE)}, '<codetutor>', 'exec'), _ct_ns)

def _ct_run(code):
    import ast
    tree = ast.parse(code, '<cell>')
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, '<cell>', 'exec'), _ct_ns)
    if last is not None:
        value = eval(compile(last, '<cell>', 'eval'), _ct_ns)
        if value is not None:
            print(repr(value))

_ct_send(t='ready', version=sys.version.split()[0])
for _ct_line in _ct_cmd:
    try:
        _ct_msg = json.loads(_ct_line)
        if _ct_msg.get('reset'):
            _ct_ns.clear()
            _ct_ns['__name__'] = '__main__'
            exec(compile(${JSON.stringify(PYTHON_PRELUDE)}, '<codetutor>', 'exec'), _ct_ns)
            _ct_send(t='done', id=_ct_msg['id'], status='ok')
            continue
        _ct_status, _ct_error = 'ok', None
        try:
            _ct_run(_ct_msg['code'])
        except KeyboardInterrupt:
            _ct_status, _ct_error = 'interrupted', 'KeyboardInterrupt'
        except BaseException as e:
            _ct_status = 'error'
            tb = traceback.TracebackException.from_exception(e)
            # Drop the driver's own frames: the learner's code starts at <cell>.
            tb.stack = traceback.StackSummary.from_list([f for f in tb.stack if f.filename == '<cell>'])
            _ct_error = ''.join(tb.format())
        try:
            _ct_ns['_codetutor_after_cell']()
        except BaseException:
            pass
        _ct_send(t='done', id=_ct_msg['id'], status=_ct_status, error=_ct_error)
    except KeyboardInterrupt:
        _ct_send(t='done', id=-1, status='interrupted', error='KeyboardInterrupt')
`;
