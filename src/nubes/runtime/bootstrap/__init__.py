"""Code that runs inside sandboxes, under the function's interpreter (plain Python 3.10+).

``nubes_py`` is put on the zygote's ``sys.path`` (this directory), so it is importable
both as ``nubes_py`` there and as ``nubes.runtime.bootstrap.nubes_py`` here; its modules
use relative imports only and no third-party packages. ``node/`` holds the Node.js
bootstrap.
"""
