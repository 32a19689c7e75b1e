/**
 * Python run once in every local interpreter (Pyodide and the learner's CPython) before the first cell: the
 * /mnt/data convention, matplotlib on Agg with plt.show() turned into PNG image outputs, and (Pyodide) a clear
 * message when a distribution package is imported before it was installed.
 *
 * The host supplies `_codetutor_emit_image(mime, data: bytes)`, the notebook-like `_codetutor_after_cell()` is called
 * after every cell, and `_codetutor_missing` maps import names to the sentence to raise.
 */
export const PYTHON_PRELUDE = String.raw`
import os as _ct_os, sys as _ct_sys, io as _ct_io
_ct_os.environ.setdefault('MPLBACKEND', 'Agg')

def _codetutor_show(*args, **kwargs):
    import matplotlib.pyplot as plt
    for num in list(plt.get_fignums()):
        fig = plt.figure(num)
        buf = _ct_io.BytesIO()
        fig.savefig(buf, format='png', bbox_inches='tight')
        _codetutor_emit_image('image/png', buf.getvalue())
        plt.close(fig)

def _codetutor_patch_pyplot(mod):
    try:
        mod.switch_backend('Agg')
    except Exception:
        pass
    mod.show = _codetutor_show

class _CodeTutorImportHook:
    """Patches matplotlib.pyplot when it is first imported; raises a helpful error for packages not installed."""
    def find_spec(self, name, path=None, target=None):
        top = name.split('.')[0]
        if top in _codetutor_missing and name == top:
            error = ModuleNotFoundError(_codetutor_missing[top].replace('{0}', top), name=top)
            error._PYODIDE_ADDED_NOTE = True  # our sentence replaces Pyodide's micropip hint
            raise error
        if name == 'matplotlib.pyplot':
            import importlib.util
            _ct_sys.meta_path.remove(self)
            try:
                spec = importlib.util.find_spec(name)
            finally:
                _ct_sys.meta_path.insert(0, self)
            if spec is None or spec.loader is None:
                return None
            loader = spec.loader
            original = loader.exec_module
            def exec_module(module):
                original(module)
                _codetutor_patch_pyplot(module)
            loader.exec_module = exec_module
            return spec
        return None

_codetutor_missing = {}
_ct_sys.meta_path[:] = [h for h in _ct_sys.meta_path if type(h).__name__ != '_CodeTutorImportHook']
_ct_sys.meta_path.insert(0, _CodeTutorImportHook())

def _codetutor_after_cell():
    plt = _ct_sys.modules.get('matplotlib.pyplot')
    if plt is not None and plt.get_fignums():
        _codetutor_show()
    for stream in (_ct_sys.stdout, _ct_sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass

def _codetutor_snapshot_files(root='/mnt/data'):
    found = {}
    for base, dirs, files in _ct_os.walk(root):
        for f in files:
            p = _ct_os.path.join(base, f)
            try:
                st = _ct_os.stat(p)
            except OSError:
                continue
            found[_ct_os.path.relpath(p, root)] = (st.st_mtime_ns, st.st_size)
    return found

`;
