"""``oauthpy mcp serve``: every agent the person is logged in to, as tools of an MCP server.

`tools` says what each tool is (name, description, schemas) and shapes its result; `policy`
decides an agent's permission questions (a fixed policy, else the client's person through
``elicitation/create``, else no); `progress` turns a run's events into ``notifications/progress``;
`server` runs it all over stdio on the official ``mcp`` package.
"""
