"""An MCP client nobody here wrote — the official Python SDK — driving `healdeck mcp`.

Usage: client.py HEALDECK LOGS_DIR OUTSIDE_FILE APPEND_FILE
Starts the server over stdio, lists its tools, calls each on the logs, tries the refusals,
and prints one JSON transcript on stdout for the Rust test to check.
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def text_of(result):
    """The tool result's text, its error flag, and the JSON in it when there is some."""
    text = "".join(getattr(c, "text", "") for c in result.content)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    return {"is_error": bool(result.is_error), "text": text, "json": data}


async def main(healdeck, logs, outside, append_to):
    server = StdioServerParameters(
        command=healdeck,
        args=["mcp", "--source", logs, "--no-user-rules"],
        env=dict(os.environ),
    )
    out = {}
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            out["server"] = init.server_info.name
            out["instructions"] = init.instructions
            tools = await session.list_tools()
            out["tools"] = {t.name: t.input_schema for t in tools.tools}
            call = session.call_tool

            listed = text_of(await call("list_issues", {}))
            out["list_issues"] = listed
            issues = listed["json"]["issues"]
            by_rule = {i["rule"]: i["fingerprint"] for i in issues}
            out["list_critical_database"] = text_of(
                await call("list_issues", {"min_severity": "critical", "category": "database"})
            )
            disk = by_rule["disk.full"]
            database = by_rule["postgres.unreachable"]
            out["get_issue"] = text_of(await call("get_issue", {"fingerprint": database}))
            out["get_repair_prompt"] = text_of(
                await call("get_repair_prompt", {"fingerprint": database})
            )
            out["plan_fixes"] = text_of(await call("plan_fixes", {}))
            out["run_class_b"] = text_of(await call("run_safe_fix", {"fingerprint": database}))
            out["run_safe_fix"] = text_of(await call("run_safe_fix", {"fingerprint": disk}))
            out["verify_after_fix"] = text_of(await call("verify_issue", {"fingerprint": disk}))
            with open(append_to, "a", encoding="utf-8") as f:
                f.write("OSError: [Errno 28] No space left on device: '/var/lib/app/cache/y.bin'\n")
            out["verify_after_recurrence"] = text_of(
                await call("verify_issue", {"fingerprint": disk})
            )

            out["health"] = text_of(await call("health", {}))

            refusals = {}
            for name, args in [
                ("outside_absolute", {"sources": [outside]}),
                ("outside_dotdot", {"sources": ["../" + os.path.basename(outside)]}),
                ("symlink_out", {"sources": ["link-out.log"]}),
                ("etc_passwd", {"sources": ["/etc/passwd"]}),
            ]:
                refusals[name] = text_of(await call("list_issues", args))
            refusals["unknown_fingerprint"] = text_of(
                await call("get_issue", {"fingerprint": "0000000000000000"})
            )
            try:
                bad = await call("list_issues", {"category": "no-such-category"})
                refusals["bad_category"] = text_of(bad)
            except Exception as e:  # a protocol error is also a refusal
                refusals["bad_category"] = {"is_error": True, "text": str(e), "json": None}
            out["refusals"] = refusals
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
