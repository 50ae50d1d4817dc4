package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/httpapi"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/postgres"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/syncer"
)

// App is the lazy dependency factory that every command shares: config and
// store are opened on first use, once.
type App struct {
	Streams *Streams
	// env overrides the process environment (the demo runs with its own
	// REEL_HOME and HOME).
	env   map[string]string
	cfg   *config.Config
	store reel.Store
	// daemon is the running daemon's client, or daemonErr why there is
	// none (see Daemon).
	daemon    *httpapi.Client
	daemonErr error
	// embedder is the configured embedding model, or embedderErr why
	// there is none (see Embedder).
	embedder    reel.Embedder
	embedderErr error
	// stopped says the command ended because a signal asked it to and
	// finished cleanly (the daemon): the exit code is 0, not 130.
	stopped bool
}

// Getenv reads the environment, overrides first.
func (a *App) Getenv(k string) string {
	if v, ok := a.env[k]; ok {
		return v
	}
	return os.Getenv(k)
}

// Config loads the configuration once.
func (a *App) Config() (*config.Config, error) {
	if a.cfg == nil {
		c, err := config.Load(a.Getenv)
		if err != nil {
			return nil, err
		}
		a.cfg = c
	}
	return a.cfg, nil
}

// Store opens the configured store once.
func (a *App) Store(ctx context.Context) (reel.Store, error) {
	if a.store != nil {
		return a.store, nil
	}
	c, err := a.Config()
	if err != nil {
		return nil, err
	}
	if isPostgresURL(c.Store.URL) {
		s, err := postgres.Open(ctx, c.Store.URL)
		if err != nil {
			return nil, err
		}
		a.store = s
		return s, nil
	}
	if err := c.Paths.EnsureDirs(); err != nil {
		return nil, err
	}
	s, err := sqlite.Open(ctx, c.DatabasePath())
	if err != nil {
		return nil, err
	}
	a.store = s
	return s, nil
}

// isPostgresURL reports whether a store URL names a PostgreSQL database.
func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// Close releases what the app opened.
func (a *App) Close() error {
	if a.daemon != nil {
		a.daemon.Close()
	}
	if a.store != nil {
		return a.store.Close()
	}
	return nil
}

// importers lists every importer reel has, wired explicitly.
func importers() []reel.Importer {
	return []reel.Importer{
		ingest.NewClaude(), ingest.NewCodex(), ingest.NewGemini(), ingest.NewOpencode(),
		ingest.NewCursor(), ingest.NewAider(), ingest.NewPi(), ingest.NewCopilot(),
		ingest.NewAmp(), ingest.NewDroid(), ingest.NewShellHistory(), ingest.NewRecording(),
		ingest.NewLive(reel.SourceHooks),
	}
}

// sourceNames lists the sources reel knows, for flag help and completion.
func sourceNames() []string {
	var names []string
	for _, imp := range importers() {
		names = append(names, imp.Source())
	}
	return names
}

// Sources returns the sources to sync, one per folder: every enabled
// source, or only those named. paths, for exactly one named source,
// replace its folders (reel sync aider --path DIR); a source named
// explicitly is read even when disabled.
func (a *App) Sources(only, paths []string) ([]syncer.Source, error) {
	c, err := a.Config()
	if err != nil {
		return nil, err
	}
	if len(paths) > 0 && len(only) != 1 {
		return nil, reel.Errorf(reel.EINVALID, "--path needs exactly one source").
			WithHint("for example: reel sync aider --path ~/src/myrepo")
	}
	want := map[string]bool{}
	for _, s := range only {
		want[s] = true
	}
	var out []syncer.Source
	for _, imp := range importers() {
		name := imp.Source()
		if len(only) > 0 && !want[name] {
			continue
		}
		delete(want, name)
		if !c.Enabled(name) && len(only) == 0 {
			continue
		}
		roots := c.SourceRoots(name, a.Getenv)
		if len(paths) > 0 {
			roots = roots[:0]
			for _, p := range paths {
				abs, err := filepath.Abs(p)
				if err != nil {
					return nil, reel.Errorf(reel.EINVALID, "--path %q: %v", p, err)
				}
				roots = append(roots, abs)
			}
		}
		for _, r := range roots {
			out = append(out, syncer.Source{Importer: imp, Root: r})
		}
	}
	for name := range want {
		return nil, reel.Errorf(reel.EINVALID, "unknown source %q", name).
			WithHint("sources: " + strings.Join(sourceNames(), ", "))
	}
	return out, nil
}
