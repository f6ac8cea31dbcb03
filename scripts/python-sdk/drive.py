# Drives every method of the Python SDK opencode-ai 0.1.0a36 against a running agentpool server.
# Not run by CI (PyPI is unreachable there); run by hand, see scripts/python-sdk/README.md.
# Usage: PYTHONPATH=<sdk>/src python3 drive.py http://127.0.0.1:PORT <project dir>
import json
import sys

from opencode_ai import Opencode

base_url, project = sys.argv[1], sys.argv[2]
client = Opencode(base_url=base_url, max_retries=0)
results = {}


def check(name, fn):
    try:
        value = fn()
        results[name] = "ok"
        print(f"ok   {name}: {repr(value)[:160]}")
        return value
    except Exception as error:  # report every failure, then go on
        results[name] = f"FAILED {type(error).__name__}: {error}"
        print(f"FAIL {name}: {type(error).__name__}: {str(error)[:300]}")
        return None


def expect_error(fn, name):
    try:
        fn()
    except Exception as error:
        if type(error).__name__ == name:
            return f"{name} as expected"
        raise
    raise AssertionError(f"expected {name}")


check("app.get", lambda: client.app.get())
check("app.init", lambda: client.app.init())
check("app.log", lambda: client.app.log(level="info", message="hello from python", service="python-sdk-check", extra={"k": 1}))
check("app.modes", lambda: [m.name for m in client.app.modes()])
providers = check("app.providers", lambda: client.app.providers())
check("config.get", lambda: client.config.get())
check("find.files", lambda: client.find.files(query="README"))
check("find.symbols", lambda: client.find.symbols(query="main"))
check("find.text", lambda: [m.path.text for m in client.find.text(pattern="hello")])
check("file.read", lambda: client.file.read(path="README.md"))
check("file.status", lambda: client.file.status())
session = check("session.create", lambda: client.session.create())
check("session.list", lambda: [s.id for s in client.session.list()])
provider_id, model_id = "scripted", "demo"
reply = check(
    "session.chat",
    lambda: client.session.chat(session.id, provider_id=provider_id, model_id=model_id, parts=[{"type": "text", "text": "hello from python"}]),
)
messages = check("session.messages", lambda: client.session.messages(session.id))
check("session.init", lambda: client.session.init(session.id, message_id="msg_" + "0" * 26, provider_id=provider_id, model_id=model_id))
check("session.summarize", lambda: client.session.summarize(session.id, provider_id=provider_id, model_id=model_id))
if messages:
    check("session.revert", lambda: client.session.revert(session.id, message_id=messages[0].info.id))
    check("session.unrevert", lambda: client.session.unrevert(session.id))
check("session.share (a clear 4xx, not retried)", lambda: expect_error(lambda: client.session.share(session.id), "BadRequestError"))
check("session.unshare (a clear 4xx, not retried)", lambda: expect_error(lambda: client.session.unshare(session.id), "BadRequestError"))
check("session.abort", lambda: client.session.abort(session.id))
check("tui.append_prompt", lambda: client.tui.append_prompt(text="typed by python"))
check("tui.open_help", lambda: client.tui.open_help())


def read_events():
    stream = client.event.list()
    seen = []
    for event in stream:
        seen.append(event.type)
        if len(seen) >= 1:
            break
    stream.close()
    return seen


check("event.list", read_events)
check("session.delete", lambda: client.session.delete(session.id))
print(json.dumps(results, indent=1))
failed = [k for k, v in results.items() if v != "ok"]
print(f"{len(results) - len(failed)}/{len(results)} methods ok")
