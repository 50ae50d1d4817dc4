package cli

import (
	"context"
	"log/slog"

	"github.com/reel-sh/reel/internal/mcp"
	"github.com/reel-sh/reel/internal/timeline"
	"github.com/spf13/cobra"
)

type mcpOptions struct {
	app     *App
	control bool
}

func newMCPCmd(app *App) *cobra.Command {
	opts := &mcpOptions{app: app}
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve reel's tools to an MCP client over stdio",
		Long: `Mcp runs reel's Model Context Protocol server on standard input and output,
for an MCP client (Claude Code, Codex, Cursor, …) to start as a subprocess.
Its tools search and read the stored sessions (search, list_sessions,
get_session, recent_activity, list_checkpoints). It opens the store directly,
as other commands do. Errors are logged to standard error.

The tools that control supervised sessions (pause_session, resume_session,
send_to_session) are served only with --control or control = true under
[mcp] in config.toml: an MCP client is another agent.`,
		Example: `  claude mcp add reel -- reel mcp
  codex mcp add reel -- reel mcp
  reel mcp --control`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runMCP(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.control, "control", false, "also serve the tools that pause, resume and type into supervised sessions")
	return cmd
}

func runMCP(ctx context.Context, opts *mcpOptions) error {
	s := opts.app.Streams
	c, err := opts.app.Config()
	if err != nil {
		return err
	}
	store, err := opts.app.Store(ctx)
	if err != nil {
		return err
	}
	sup, err := opts.app.Supervisor(ctx)
	if err != nil {
		return err
	}
	deps := mcp.Deps{Store: store, Checkpoints: store, Timeline: timeline.New(store), Supervisor: sup}
	server := mcp.NewServer(deps, mcp.Options{
		Control: c.MCP.Control || opts.control,
		Version: version(),
		Logger:  slog.New(slog.NewTextHandler(s.Err, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	return mcp.ServeStdio(ctx, server, s.In, s.Out)
}
