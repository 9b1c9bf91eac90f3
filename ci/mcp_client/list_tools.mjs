// list_tools.mjs — connects to every server of an MCP client configuration (the mcp-http.json /
// mcp-stdio.json that ci/serve.sh prints) with the official MCP SDK and lists its tools.
//
//   node ci/mcp_client/list_tools.mjs CONFIG.json [CONFIG.json ...]
//
// An entry with "url" is reached with StreamableHTTPClientTransport, one with "command" is
// launched with StdioClientTransport (its "args" and "env" as given). Prints one line per server:
//   <name> <transport> <n> tools: a, b, c
// Exits 1 when any server cannot be reached or lists no tools (the error names the server).
import { readFileSync } from "node:fs";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const TIMEOUT_MS = 20000;

async function listOne(name, entry) {
  let transport;
  let kind;
  let stderr = "";
  if (entry.url) {
    kind = "http";
    transport = new StreamableHTTPClientTransport(new URL(entry.url));
  } else if (entry.command) {
    kind = "stdio";
    transport = new StdioClientTransport({
      command: entry.command,
      args: entry.args ?? [],
      env: { ...getDefaultEnvironment(), ...(entry.env ?? {}) },
      stderr: "pipe",
    });
    transport.stderr?.on("data", (d) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
  } else {
    throw new Error(`${name}: the entry has neither "url" nor "command"`);
  }
  const client = new Client({ name: "mcp-suite-client-check", version: "0.1.0" });
  try {
    await client.connect(transport, { timeout: TIMEOUT_MS });
    const { tools } = await client.listTools(undefined, { timeout: TIMEOUT_MS });
    if (!tools || tools.length === 0) throw new Error("tools/list returned no tools");
    const info = client.getServerVersion();
    console.log(`${name} ${kind} ${tools.length} tools: ${tools.map((t) => t.name).join(", ")}` +
                ` (server ${info?.name} ${info?.version})`);
  } catch (e) {
    const where = entry.url ?? entry.command;
    throw new Error(`${name} (${kind} ${where}): ${e.message}${stderr ? `\n  stderr: ${stderr.trim()}` : ""}`);
  } finally {
    await client.close().catch(() => {});
  }
}

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node ci/mcp_client/list_tools.mjs CONFIG.json [CONFIG.json ...]");
    process.exit(2);
  }
  let failed = 0;
  for (const file of files) {
    let servers;
    try {
      servers = JSON.parse(readFileSync(file, "utf8")).mcpServers;
    } catch (e) {
      console.error(`${file}: not a readable MCP client configuration: ${e.message}`);
      failed++;
      continue;
    }
    if (!servers || typeof servers !== "object") {
      console.error(`${file}: no "mcpServers" object`);
      failed++;
      continue;
    }
    for (const [name, entry] of Object.entries(servers)) {
      try {
        await listOne(name, entry);
      } catch (e) {
        console.error(`FAILED ${e.message}`);
        failed++;
      }
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
