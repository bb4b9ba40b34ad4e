//! `healdeck mcp`: the Model Context Protocol over stdio, so coding assistants (Claude Code,
//! Cursor, any MCP client) list, read and act on healdeck's issues directly.
//!
//! A third front-end beside `cli/` and `ui/`, as thin as they are: `server` speaks the
//! protocol (rmcp), `toolbox` calls the engine's use-cases. What it may do is fixed when it
//! starts: it reads only the log sources it was given (a path outside them, `..` and symlinks
//! out included, is refused — `healdeck_engine::scope`), everything it returns is redacted,
//! log text is marked as untrusted data, and only class A fixes can run through it.

mod server;
mod toolbox;

use healdeck_config::Dirs;
use healdeck_engine::Engine;
use healdeck_engine::scope::SourceScope;
use rmcp::ServiceExt;
use std::path::PathBuf;

/// What the server is started with.
pub struct McpOptions {
    pub engine: Engine,
    pub dirs: Dirs,
    pub scope: SourceScope,
    /// Interpreter for pip fixes and prompts (else fixer.json's, else python3).
    pub python: Option<PathBuf>,
}

/// Serves MCP on stdin/stdout until the client closes the connection.
pub fn serve_stdio(options: McpOptions) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let server = server::HealdeckMcp::new(toolbox::Toolbox {
            engine: options.engine,
            dirs: options.dirs,
            scope: options.scope,
            python: options.python,
        });
        let running = server.serve(rmcp::transport::stdio()).await?;
        running.waiting().await?;
        anyhow::Ok(())
    })
}
