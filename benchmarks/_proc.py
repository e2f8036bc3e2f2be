"""Process plumbing: the server subprocess and one fresh worker subprocess per measurement."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


# ``--src DIR`` benchmarks another copy of the package (e.g. the code before a fix).
SRC_ENV = "TIINTEL_BENCH_SRC"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = env.get(SRC_ENV) or str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.pop("VT_API_KEY", None)
    env.pop("OTX_API_KEY", None)
    # Installed packages ship compiled bytecode; without it tiintel's own import would be timed
    # with compilation while vt-py's would not.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


class Server:
    """The fakes' server in a child process (``with Server(config) as s: s.url``)."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._server", json.dumps(config or {})],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=_env(),
        )
        assert self._proc.stdout is not None
        self.url = self._proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.close()
            raise RuntimeError("the benchmark server did not start")

    @property
    def vt_url(self) -> str:
        return self.url + "/api/v3"

    @property
    def otx_url(self) -> str:
        return self.url + "/api/v1"

    def _ask(self, command: str) -> dict[str, Any]:
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        self._proc.stdin.write(command + "\n")
        self._proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self._proc.stdout.readline())
        return answer

    def stats(self) -> dict[str, Any]:
        """Status counts and injected faults seen by each fake."""
        return self._ask("stats")

    def reset(self) -> None:
        """Forget the fakes' request logs."""
        self._ask("reset")

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def run_worker(task: str, **params: Any) -> dict[str, Any]:
    """Run ``benchmarks.workers.<task>`` in a fresh interpreter and return its JSON result."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks._worker", task, json.dumps(params)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=900,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {task} {params.get('client')} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result
