"""``oauthpy mcp serve``: the agents as tools of an MCP server on stdio (docs/mcp.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys

EXAMPLES = """examples:
  oauthpy mcp serve                                # every installed agent, one tool each
  oauthpy mcp serve -p codex -p gemini --cwd ~/src/app   # or -p codex,gemini
  claude mcp add agents -- "$(command -v oauthpy)" mcp serve   # Claude Code calls them (docs/mcp.md)

permissions: what an agent asks to do goes to the client's person (MCP elicitation) when the
client offers it; otherwise it is denied. --allow read-only allows plain reading commands of
exact shapes (ls -la, cat, grep -rn, git status/log/diff/show with display options only; never
an option that writes or runs a program) without asking; it still reads any file the agent
names. --allow all allows everything without asking (only for a client you trust)."""


def fill(p: argparse.ArgumentParser) -> None:
    from oauthpy._mcp_serve.policy import POLICIES
    from oauthpy._names import AUTH_SOURCES
    from oauthpy.cli.words import agents_flag

    p.description = "Serve MCP: the agents you are logged in to, as tools of any MCP client."
    p.epilog = EXAMPLES
    sub = p.add_subparsers(dest="mcp_command", required=True, metavar="ACTION")
    serve = sub.add_parser("serve", help="serve the agents as MCP tools on stdio", description=p.description)
    serve.formatter_class = argparse.RawDescriptionHelpFormatter
    serve.epilog = EXAMPLES
    agents_flag(
        serve,
        many=True,
        aliases=("--agent",),  # the flag's old spelling
        help="the agents to serve: repeat -p, or a comma list (default: every installed one)",
    )
    serve.add_argument("--source", default="auto", choices=AUTH_SOURCES, help="whose login the agents use")
    serve.add_argument(
        "--cwd", default=".", help="the folder calls work in: there or below it, as a call says (default .)"
    )
    serve.add_argument(
        "--any-cwd",
        action="store_true",
        help="let a call name any folder as its cwd, not only --cwd and below",
    )
    serve.add_argument("--timeout", type=float, default=900.0, help="seconds a call may take (default 900)")
    serve.add_argument(
        "--allow", default="none", choices=POLICIES, help="what agents may do without asking (default none)"
    )
    serve.add_argument("--max-concurrent", type=int, default=4, help="calls run at once (default 4)")
    from oauthpy.cli.words import fallback_flag

    fallback_flag(serve)
    serve.add_argument(
        "--heartbeat",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="a silent agent's call reports progress this often (default 10)",
    )


def command(args: argparse.Namespace) -> int:
    from oauthpy._mcp_serve.server import check_settings, serve
    from oauthpy._mcp_serve.stdio import has_stdio

    if not has_stdio():  # first: the next file opened would take a closed fd 0
        print("oauthpy mcp: stdin or stdout is closed: no client to serve", file=sys.stderr, flush=True)
        return 0
    settings = check_settings(
        args.provider,
        cwd=args.cwd,
        source=args.source,
        timeout=args.timeout,
        allow=args.allow,
        max_concurrent=args.max_concurrent,
        heartbeat_s=args.heartbeat,
        fallback=args.fallback,
        any_cwd=args.any_cwd,
    )
    # stdout is the protocol's: every word of ours goes to stderr
    print(f"oauthpy mcp: serving {', '.join(settings.agents)} on stdio", file=sys.stderr, flush=True)
    if (why := settings.too_deep()) is not None:
        print(f"oauthpy mcp: every call will be refused: {why}", file=sys.stderr, flush=True)
    asyncio.run(serve(settings))
    return 0
