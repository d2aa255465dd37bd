"""The `oauthpy` command through its real entry point, against the real CLIs and the fakes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from oauthpy._names import listed_providers
from oauthpy.testing import Hang, HttpError, shell, text
from tests.support import vendor_binaries

OAUTHPY = [sys.executable, "-m", "oauthpy.cli"]


def oauthpy(*args: str, env: dict[str, str] | None = None, stdin: str | None = None, merge: bool = False):
    # no stdin given: /dev/null, not the test runner's (a prompt argument waits for piped stdin)
    return subprocess.run(
        [*OAUTHPY, *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=not merge,
        stdout=subprocess.PIPE if merge else None,
        stderr=subprocess.STDOUT if merge else None,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.xdist_group("gemini")
def test_demo_runs_every_installed_cli_against_the_fakes_and_prints_events():
    proc = oauthpy("demo", env=vendor_binaries())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for provider in listed_providers():  # every agent of the registry: a new one with no edit
        section = proc.stdout.split(f"== {provider}:")[1].split("== ")[0]
        assert "hello from a real shell" in section, section
        assert "[done] session" in section
    assert "[message] The command printed its greeting." in proc.stdout


def test_run_prints_the_final_text_and_reads_the_prompt_from_stdin(openai_fake, codex_env, workdir: Path):
    openai_fake.script(text("answer from codex"))
    proc = oauthpy(
        "run", "--provider", "codex", "--cwd", str(workdir), env=codex_env, stdin="question on stdin"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "answer from codex\n"
    assert "question on stdin" in str(openai_fake.model_requests()[0].body)


def test_run_without_provider_takes_oauthpy_provider_else_the_first_one_logged_in(
    anthropic_fake, claude_env: dict[str, str], workdir: Path, tmp_path: Path
):
    anthropic_fake.script(text("claude answers"))
    # codex and gemini are not logged in here: an empty CODEX_HOME, no gemini at all
    env = {
        **claude_env,
        "OAUTHPY_HOME": str(tmp_path / "oauthpy-home"),
        "CODEX_HOME": str(tmp_path / "empty-codex"),
        "OAUTHPY_GEMINI_BINARY": str(tmp_path / "no-gemini"),
        "PATH": os.path.dirname(sys.executable) + os.pathsep + "/usr/bin:/bin",
    }
    (tmp_path / "empty-codex").mkdir()
    proc = oauthpy("run", "--cwd", str(workdir), "hello", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "claude answers\n"
    assert "oauthpy: claude, the first provider you are logged in to" in proc.stderr

    proc = oauthpy("run", "--cwd", str(workdir), "hello", env={**env, "OAUTHPY_PROVIDER": "claude"})
    assert proc.returncode == 0 and "oauthpy: claude (from OAUTHPY_PROVIDER)" in proc.stderr
    proc = oauthpy("run", "hello", env={**env, "OAUTHPY_PROVIDER": "cursor"})
    assert (
        proc.returncode == 2
        and "OAUTHPY_PROVIDER='cursor' is not one of codex, claude, gemini" in proc.stderr
    )

    nobody = {**env, "ANTHROPIC_API_KEY": "", "CLAUDE_CONFIG_DIR": str(tmp_path / "empty-claude")}
    nobody.update(dict.fromkeys(("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"), ""))
    proc = oauthpy("run", "hello", env=nobody)
    assert proc.returncode == 2, proc.stderr
    assert (
        f"no provider is logged in ({', '.join(listed_providers())})" in proc.stderr
        and "oauthpy doctor" in proc.stderr
    )


def test_run_json_is_one_object_with_the_documented_fields(anthropic_fake, claude_env, workdir: Path):
    anthropic_fake.script(text("json answer"))
    proc = oauthpy("run", "-p", "claude", "--cwd", str(workdir), "--json", "hi", env=claude_env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {
        "provider",
        "transport",
        "model",
        "session_id",
        "auth_source",
        "text",
        "output",
        "usage",
        "elapsed_s",
        "events",
    }
    assert (out["provider"], out["transport"], out["text"]) == ("claude", "sdk", "json answer")
    assert out["session_id"] and out["usage"]["output_tokens"] > 0 and out["elapsed_s"] > 0
    kinds = [e["kind"] for e in out["events"]]
    assert kinds[-1] == "done" and "message" in kinds
    assert any(e.get("delta") for e in out["events"])  # deltas are kept, marked as such
    assert all({"kind", "text", "timestamp"} <= set(e) for e in out["events"])


def test_run_stream_prints_words_and_actions_in_the_order_they_happen(openai_fake, codex_env, workdir: Path):
    openai_fake.script(shell("echo streamed-cmd", say="Let me run a command."), text("All done."))
    both = oauthpy("run", "-p", "codex", "--cwd", str(workdir), "--stream", "go", env=codex_env, merge=True)
    assert both.returncode == 0, both.stdout
    lines = [ln for ln in both.stdout.splitlines() if ln.strip()]
    order = ["Let me run a command.", "[command] $", "[command] exit 0: streamed-cmd", "All done."]
    positions = [next(i for i, ln in enumerate(lines) if ln.startswith(want)) for want in order]
    assert positions == sorted(positions), lines

    openai_fake.script(shell("echo again", say="Running."), text("Done again."))
    split = oauthpy("run", "-p", "codex", "--cwd", str(workdir), "--stream", "go", env=codex_env)
    assert split.stdout == "Running.\nDone again.\n"  # only the agent's words on stdout
    assert "[command] exit 0: again" in split.stderr


def test_run_with_a_schema_file_prints_the_validated_output(
    anthropic_fake, claude_env, workdir: Path, tmp_path: Path
):
    from oauthpy.testing.anthropic import structured

    schema = {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    anthropic_fake.script(structured({"score": 7}))
    schema_file = str(tmp_path / "schema.json")
    proc = oauthpy(
        "run", "-p", "claude", "--cwd", str(workdir), "--schema", schema_file, "rate", env=claude_env
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"score": 7}


def test_run_failure_prints_error_and_hint_without_traceback(openai_fake, codex_env, workdir: Path):
    openai_fake.script(HttpError(401, "bad key"))
    proc = oauthpy("run", "--provider", "codex", "--cwd", str(workdir), "hi", env=codex_env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: codex is not authenticated")
    assert "hint: log in with `codex login`" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_input_that_is_not_utf8_or_a_dangling_schema_ref_is_one_error_line_and_exit_2(tmp_path: Path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"a": {"$ref": "#/$defs/gone"}}}))
    tripwire = tmp_path / "spawned"
    binary = tmp_path / "codex"
    binary.write_text(f"#!/bin/sh\ntouch '{tripwire}'\n")
    binary.chmod(0o755)
    env = {**os.environ, "OAUTHPY_CODEX_BINARY": str(binary)}
    runs = {
        "argv": ([b"run", b"-p", b"codex", b"caf\xe9"], b""),
        "stdin": ([b"run", b"-p", b"codex", b"-"], b"caf\xe9 au lait\n"),
        "schema": ([b"run", b"-p", b"codex", b"--schema", str(schema).encode(), b"x"], b""),
    }
    expected = {
        "argv": b"error: prompt is not valid text",
        "stdin": b"error: the prompt on stdin is not UTF-8 text",
        "schema": b"error: output_schema has a $ref that does not resolve: '#/$defs/gone'",
    }
    for name, (args, stdin) in runs.items():
        proc = subprocess.run(
            [*(a.encode() for a in OAUTHPY), *args], input=stdin, capture_output=True, timeout=120, env=env
        )
        assert proc.returncode == 2, (name, proc.stderr)
        assert proc.stderr.startswith(expected[name]), (name, proc.stderr)
        assert b"Traceback" not in proc.stderr and proc.stderr.count(b"\nerror") == 0, name
    assert not tripwire.exists()


def test_chat_refuses_a_line_that_is_not_utf8_and_a_timeout_that_is_not_finite(tmp_path: Path):
    # stdin a pipe: the REPL reads lines with input(); each bad line is one error, then it goes on
    lines = b"caf\xe9\n/timeout 30\n/timeout nan\n/timeout inf\n/timeout 1e400\n/timeout\n/exit\n"
    proc = subprocess.run(
        [*OAUTHPY, "chat", "-p", "codex", "--cwd", str(tmp_path)],
        input=lines,
        capture_output=True,
        timeout=120,
        env={**os.environ, "OAUTHPY_CODEX_BINARY": "/bin/false", "NO_COLOR": "1"},
    )
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert "error: prompt is not valid text" in err
    assert err.count("error: timeout must be a positive number of seconds") == 3
    assert out.count("timeout: 30 s") == 2  # set, then shown again: the bad values changed nothing


def test_usage_errors_exit_2():
    proc = oauthpy("run", "--provider", "nope", "x")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_auth_status_available_login_and_logout(tmp_path: Path):
    env = {"OAUTHPY_HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path)}
    status = oauthpy("auth", "status", "-p", "codex", "--source", "oauthpy", env=env)
    assert status.returncode == 1 and "codex: not logged in (not_authenticated)" in status.stdout
    no = oauthpy("available", "-p", "codex", "--source", "oauthpy", env=env)
    assert (no.returncode, no.stdout) == (1, "no\n")

    key = "sk-cli-login-key-9999"
    login = oauthpy(
        "auth", "login", "-p", "codex", "--source", "oauthpy", "--with-api-key", env=env, stdin=key + "\n"
    )
    assert login.returncode == 0, login.stderr
    assert "codex: logged in (api-key)" in login.stdout and key not in login.stdout + login.stderr
    yes = oauthpy("available", "-p", "codex", "--source", "oauthpy", env=env)
    assert (yes.returncode, yes.stdout) == (0, "yes\n")
    as_json = json.loads(
        oauthpy("auth", "status", "-p", "codex", "--source", "oauthpy", "--json", env=env).stdout
    )
    assert as_json["authenticated"] is True and as_json["mode"] == "api-key"
    assert as_json["state_dir"] == str(tmp_path / "home" / "codex")

    logout = oauthpy("auth", "logout", "-p", "codex", "--source", "oauthpy", env=env)
    assert logout.returncode == 0 and "not logged in" in logout.stdout


def test_doctor_names_the_exact_fix_for_a_missing_and_an_unauthenticated_provider(tmp_path: Path):
    from tests.cli.test_cli_setup import a_venv_without_vendor_clis

    # a venv of its own: this one's bin may hold the gemini that scripts/start links there
    python = a_venv_without_vendor_clis(tmp_path / "venv")
    env = {
        "OAUTHPY_HOME": str(tmp_path / "home"),
        "HOME": str(tmp_path / "user"),
        "PATH": "/usr/bin:/bin",  # no gemini on it
        "OAUTHPY_GEMINI_BINARY": "",
        "CODEX_HOME": str(tmp_path / "codex"),  # exists, never logged in
        "ANTHROPIC_API_KEY": "sk-ant-doctor-key-1234",  # claude is fine
    }
    (tmp_path / "codex").mkdir()
    doctor = [str(python), "-m", "oauthpy.cli", "doctor"]
    proc = subprocess.run(doctor, capture_output=True, text=True, env={**os.environ, **env}, timeout=120)
    assert proc.returncode == 1
    out = proc.stdout
    assert "gemini: not installed\n    $ npm install -g @google/gemini-cli" in out
    assert "codex: not logged in (not_authenticated)\n    $ oauthpy auth login --provider codex" in out
    assert "claude:" not in out.split("fixes:")[1]
    assert "sk-ant-doctor-key-1234" not in out

    as_json = subprocess.run([*doctor, "--json"], capture_output=True, env={**os.environ, **env}, timeout=120)
    report = json.loads(as_json.stdout)
    by_name = {r["provider"]: r for r in report}
    assert by_name["claude"]["authenticated"] and by_name["claude"]["problems"] == []
    assert by_name["gemini"]["installed"] is False
    external = by_name["codex"]["state_dirs"]["external"]
    assert external["path"] == str(tmp_path / "codex") and external["exists"]


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["auth", "status"],
        ["auth", "login"],
        ["auth", "logout"],
        ["available"],
        ["doctor"],
        ["demo"],
        ["chat"],
    ],
)
def test_every_command_has_help_with_an_example(command: list[str]):
    proc = oauthpy(*command, "--help")
    assert proc.returncode == 0 and "example" in proc.stdout


def test_version():
    proc = oauthpy("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("oauthpy ")


def test_python_dash_m_oauthpy_is_the_command():
    proc = subprocess.run([sys.executable, "-m", "oauthpy", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == oauthpy("--version").stdout


def test_ctrl_c_during_run_exits_130_and_stops_the_vendor(openai_fake, codex_env, workdir: Path):

    from tests.support import assert_no_leftovers

    openai_fake.script(Hang(60))
    proc = subprocess.Popen(
        [*OAUTHPY, "run", "-p", "codex", "--cwd", str(workdir), "hang"],
        env={**os.environ, **codex_env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    openai_fake.wait_for_model_request()
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.startswith("error: interrupted"), err
    assert_no_leftovers(codex_env)


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path):
    import pexpect

    env = {**os.environ, "OAUTHPY_HOME": str(tmp_path), "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    args = ["-m", "oauthpy.cli", "auth", "status", "-p", "codex", "--source", "oauthpy"]
    on_tty = pexpect.run(" ".join([sys.executable, *args]), env=env, encoding="utf-8", timeout=60)
    assert "\x1b[33mnot logged in" in on_tty
    no_color = pexpect.run(
        " ".join([sys.executable, *args]), env={**env, "NO_COLOR": "1"}, encoding="utf-8", timeout=60
    )
    assert "not logged in" in no_color and "\x1b[" not in no_color
    piped = oauthpy(*args[2:], env={"OAUTHPY_HOME": str(tmp_path)})
    assert "not logged in" in piped.stdout and "\x1b[" not in piped.stdout + piped.stderr
