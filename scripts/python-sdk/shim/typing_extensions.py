# Local shim: Debian bookworm's typing_extensions lacks names newer SDKs import; add them from typing.
import importlib.util, sys, typing
_spec = importlib.util.spec_from_file_location("_te_real", "/usr/lib/python3/dist-packages/typing_extensions.py")
_real = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(_real)
globals().update({k: getattr(_real, k) for k in dir(_real) if not k.startswith("__")})
for _name in dir(typing):
    if not _name.startswith("_") and _name not in globals():
        globals()[_name] = getattr(typing, _name)
if "TypeIs" not in globals():
    TypeIs = _real.TypeGuard  # same runtime behaviour for the SDK's purposes
if "TypeAliasType" not in globals():
    class TypeAliasType:  # never instantiated by this SDK's models; only used in isinstance checks
        pass
