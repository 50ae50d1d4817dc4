package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/archive"
	"github.com/reel-sh/reel/internal/atomicfile"
	"github.com/reel-sh/reel/internal/runbook"
	"github.com/spf13/cobra"
)

type exportOptions struct {
	app           *App
	ref           string
	format        string
	output        string
	parameterize  bool
	includeFailed bool
}

func newExportCmd(app *App) *cobra.Command {
	opts := &exportOptions{app: app}
	cmd := &cobra.Command{
		Use:   "export SESSION",
		Short: "Write a session out: native bytes, markdown, JSON, or a runbook of its commands",
		Long: `Export writes a session to standard output or a file.

  native    the source file exactly as reel read it, byte for byte (a .jsonl.zst
            session gives its decompressed JSONL). A session kept as several
            files (opencode's storage folder) gives a tar archive of them; one
            kept in a database (opencode.db, Cursor's state.vscdb) gives its
            rows as JSON lines, exactly as read.
  markdown  a readable transcript
  json      the session and its events in reel's model (see docs/JSON.md)
  reel      the session with its raw records, events and checkpoints as one JSON
            document, for 'reel import' on another machine (lossless)

Runbook formats turn a session's shell commands into something to run again:
bash, makefile, github-action, gitlab-ci, dockerfile, and markdown for a
shell recording (or with --parameterize). Failed commands become comments
unless --include-failed. A recording can be named by its name.`,
		Example: `  reel export 3f2a9c --format native > copy.jsonl
  reel export 3f2a9c --format markdown -o session.md
  reel export 3f2a9c --format json | jq '.events[0]'
  reel export 7b1e04 --format native | tar -x -C restored/
  reel export deploy --format makefile --parameterize > Makefile`,
		Args: exactArgs(1, "one session id or prefix"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return runExport(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.format, "format", "f", "native", "native, markdown, json, or a runbook: "+strings.Join(runbook.Formats(), ", "))
	cmd.Flags().BoolVar(&opts.parameterize, "parameterize", false, "turn literals repeated across commands into variables (runbook formats)")
	cmd.Flags().BoolVar(&opts.includeFailed, "include-failed", false, "keep commands that failed as commands, not comments (runbook formats)")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "", "write to this file (mode 0600) instead of standard output")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(exportFormats(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runExport(ctx context.Context, opts *exportOptions) error {
	if !isExportFormat(opts.format) {
		return reel.Errorf(reel.EINVALID, "unknown export format %q", opts.format).WithHint("use " + strings.Join(exportFormats(), ", "))
	}
	var buf strings.Builder
	var w io.Writer = opts.app.Streams.Out
	if opts.output != "" {
		w = &buf
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := exportTo(ctx, opts, bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if opts.output != "" {
		return atomicfile.WriteFile(opts.output, []byte(buf.String()), 0o600)
	}
	return nil
}

func exportTo(ctx context.Context, opts *exportOptions, w io.Writer) error {
	store, err := opts.app.Store(ctx)
	if err != nil {
		return err
	}
	sess, err := store.Session(ctx, recordingRef(opts.app, opts.ref))
	if err != nil {
		return err
	}
	if opts.format == "native" {
		return exportNative(ctx, store, sess, w)
	}
	if opts.format == "reel" {
		doc, err := archive.FromStore(ctx, store, sess.ID, nil)
		if err != nil {
			return err
		}
		return archive.Write(w, doc)
	}
	events, err := store.Events(ctx, sess.ID, reel.Filter{})
	if err != nil {
		return err
	}
	if events == nil {
		events = []reel.Event{}
	}
	if opts.format == "json" {
		return writeJSON(w, sessionDoc{Session: sess, Events: events})
	}
	// markdown stays the transcript for agent sessions; for a shell
	// recording it is a runbook.
	if runbook.IsFormat(opts.format) && (opts.format != "markdown" || sess.Source == reel.SourceShell || opts.parameterize) {
		return runbook.Write(w, opts.format, runbook.FromEvents(sess, events),
			runbook.Options{Parameterize: opts.parameterize, IncludeFailed: opts.includeFailed})
	}
	return writeMarkdown(w, sess, events)
}

// isExportFormat reports whether export writes format.
func isExportFormat(format string) bool {
	return slices.Contains(exportFormats(), format) || format == "md"
}

// exportFormats lists every --format export takes.
func exportFormats() []string {
	fs := []string{"native", "json", "reel"}
	for _, f := range append([]string{"markdown"}, runbook.Formats()...) {
		if !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	return fs
}

// writeMarkdown renders a transcript for people to read and share.
func writeMarkdown(w io.Writer, sess reel.Session, events []reel.Event) error {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("# %s\n\n", orDash(sess.Title))
	p("- **Session:** `%s` (%s `%s`)\n", sess.ID, sess.Source, sess.NativeID)
	p("- **Project:** `%s`\n", orDash(sess.Project))
	if sess.GitBranch != "" {
		p("- **Branch:** `%s`\n", sess.GitBranch)
	}
	if sess.Model != "" {
		p("- **Model:** %s\n", sess.Model)
	}
	p("- **Time:** %s to %s\n", sess.StartedAt.UTC().Format(time.RFC3339), sess.EndedAt.UTC().Format(time.RFC3339))
	p("- **Events:** %d\n", sess.EventCount)
	if t := sess.Tokens; !t.IsZero() {
		p("- **Tokens:** %d in, %d out, %d cache read, %d cache write\n", t.Input, t.Output, t.CacheRead, t.CacheCreation)
	}
	for _, e := range events {
		when := e.Time.UTC().Format("15:04:05")
		switch e.Kind {
		case reel.KindMessage:
			p("\n## %s · %s\n\n%s\n", titleCase(orDash(e.Role)), when, e.Text)
		case reel.KindReasoning:
			p("\n<details><summary>Thinking · %s</summary>\n\n%s\n\n</details>\n", when, e.Text)
		case reel.KindToolCall:
			p("\n**→ %s** · %s\n\n%s\n", orDash(e.Tool), when, fence(e.Text))
		case reel.KindToolResult:
			label := "Result"
			if e.ExitCode != nil {
				label += fmt.Sprintf(" (exit %d)", *e.ExitCode)
			}
			if e.IsError {
				label += " — error"
			}
			p("\n**← %s** · %s\n\n%s\n", label, when, fence(e.Text))
		default:
			if strings.TrimSpace(e.Text) == "" {
				continue
			}
			p("\n*%s · %s*\n\n%s\n", e.Kind, when, fence(e.Text))
		}
	}
	return nil
}

// fence wraps text in a code fence longer than any backtick run inside it.
func fence(s string) string {
	ticks := "```"
	for strings.Contains(s, ticks) {
		ticks += "`"
	}
	return ticks + "\n" + strings.TrimRight(s, "\n") + "\n" + ticks
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
