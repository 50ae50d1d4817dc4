package cli

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
	"github.com/spf13/cobra"
)

// Service managers `reel daemon install` writes for.
const (
	serviceSystemd = "systemd"
	serviceLaunchd = "launchd"
	launchdLabel   = "sh.reel.daemon"
)

// serviceEnv are the variables that change where reel keeps its files or
// finds sessions: the service gets the values the installing shell has.
var serviceEnv = []string{
	"REEL_HOME", "REEL_CONFIG", "REEL_STORE", "REEL_HOST", "REEL_MAX_LINE_BYTES",
	"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR",
	"CLAUDE_CONFIG_DIR", "CODEX_HOME", "GEMINI_CLI_HOME", "PI_CODING_AGENT_DIR",
	"PI_CODING_AGENT_SESSION_DIR", "COPILOT_HOME", "HISTFILE",
}

type daemonInstallOptions struct {
	app     *App
	print   bool
	manager string
}

func newDaemonInstallCmd(app *App) *cobra.Command {
	opts := &daemonInstallOptions{app: app}
	cmd := &cobra.Command{
		Use:   "install [--print]",
		Short: "Start the daemon at login: a systemd user unit or a launchd agent",
		Long: `Install writes a service that starts 'reel daemon' at login and restarts it
when it fails: a systemd user unit (~/.config/systemd/user/reel.service) on
Linux, a launchd agent (~/Library/LaunchAgents/sh.reel.daemon.plist) on macOS.
It runs this reel binary, by its absolute path, with the REEL_*, XDG_* and
client folder variables this shell has. Install only writes the file; it
prints the command that enables and starts it. --print writes nothing and
prints the file.`,
		Example: `  reel daemon install
  reel daemon install --print`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runDaemonInstall(opts) },
	}
	cmd.Flags().BoolVar(&opts.print, "print", false, "print the service file instead of writing it")
	cmd.Flags().StringVar(&opts.manager, "manager", defaultManager(), "service manager: systemd or launchd")
	cmd.Flags().MarkHidden("manager")
	return cmd
}

func defaultManager() string {
	if runtime.GOOS == "darwin" {
		return serviceLaunchd
	}
	return serviceSystemd
}

// servicePath returns where the service file of manager goes.
func servicePath(app *App, manager string) (string, error) {
	cfg, err := app.Config()
	if err != nil {
		return "", err
	}
	switch manager {
	case serviceSystemd:
		dir := app.Getenv("XDG_CONFIG_HOME")
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(cfg.Paths.Home, ".config")
		}
		return filepath.Join(dir, "systemd", "user", "reel.service"), nil
	case serviceLaunchd:
		return filepath.Join(cfg.Paths.Home, "Library", "LaunchAgents", launchdLabel+".plist"), nil
	}
	return "", reel.Errorf(reel.EINVALID, "--manager %q: want systemd or launchd", manager)
}

func runDaemonInstall(opts *daemonInstallOptions) error {
	app, s := opts.app, opts.app.Streams
	path, err := servicePath(app, opts.manager)
	if err != nil {
		return err
	}
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the reel binary: %w", err)
	}
	if real, err := filepath.EvalSymlinks(bin); err == nil {
		bin = real
	}
	var env [][2]string
	for _, k := range serviceEnv {
		if v := app.Getenv(k); v != "" {
			env = append(env, [2]string{k, v})
		}
	}
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	var text string
	if opts.manager == serviceSystemd {
		text = systemdUnit(bin, env)
	} else {
		text = launchdPlist(bin, env, filepath.Join(cfg.Paths.State, "daemon.stderr.log"))
	}
	if opts.print {
		_, err := fmt.Fprint(s.Out, text)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := atomicfile.WriteFile(path, []byte(text), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(s.Out, "Wrote %s\nEnable and start it with:\n", path)
	if opts.manager == serviceSystemd {
		fmt.Fprintln(s.Out, "  systemctl --user daemon-reload && systemctl --user enable --now reel.service")
	} else {
		fmt.Fprintf(s.Out, "  launchctl bootstrap gui/$(id -u) %s\n", shellQuote(path))
	}
	return nil
}

// systemdUnit is the user unit that runs bin daemon.
func systemdUnit(bin string, env [][2]string) string {
	var b strings.Builder
	b.WriteString("# Written by reel daemon install.\n[Unit]\nDescription=reel daemon: sync agent sessions, serve the reel API\n\n[Service]\nType=simple\n")
	fmt.Fprintf(&b, "ExecStart=%s daemon\n", systemdQuote(bin, true))
	for _, kv := range env {
		fmt.Fprintf(&b, "Environment=%s\n", systemdQuote(kv[0]+"="+kv[1], false))
	}
	// Exit 4 is a daemon already running (one started by hand, say):
	// restarting would only fail again.
	b.WriteString("Restart=on-failure\nRestartSec=5\nRestartPreventExitStatus=4\n\n[Install]\nWantedBy=default.target\n")
	return b.String()
}

// systemdQuote quotes s for a unit file: specifiers (%) always, variables
// ($) on a command line.
func systemdQuote(s string, command bool) string {
	s = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "%", "%%").Replace(s)
	if command {
		s = strings.ReplaceAll(s, "$", "$$")
	}
	return `"` + s + `"`
}

// launchdPlist is the agent that runs bin daemon at login and again when
// it exits with an error.
func launchdPlist(bin string, env [][2]string, stderr string) string {
	esc := func(s string) string {
		var b bytes.Buffer
		xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by reel daemon install. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>` + launchdLabel + `</string>
  <key>ProgramArguments</key>
  <array>
    <string>` + esc(bin) + `</string>
    <string>daemon</string>
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>StandardErrorPath</key>
  <string>` + esc(stderr) + `</string>
`)
	if len(env) > 0 {
		b.WriteString("  <key>EnvironmentVariables</key>\n  <dict>\n")
		for _, kv := range env {
			fmt.Fprintf(&b, "    <key>%s</key>\n    <string>%s</string>\n", esc(kv[0]), esc(kv[1]))
		}
		b.WriteString("  </dict>\n")
	}
	b.WriteString("</dict>\n</plist>\n")
	return b.String()
}

type daemonUninstallOptions struct {
	app     *App
	manager string
}

func newDaemonUninstallCmd(app *App) *cobra.Command {
	opts := &daemonUninstallOptions{app: app}
	cmd := &cobra.Command{
		Use:   "uninstall",
		Short: "Remove the service that 'reel daemon install' wrote",
		Long: `Uninstall removes the systemd user unit (and its enablement link) or the
launchd agent that 'reel daemon install' wrote, and prints how to stop a
daemon the service manager still runs. Nothing installed is not an error.`,
		Example: `  reel daemon uninstall`,
		Args:    exactArgs(0, "no arguments"),
		RunE:    func(cmd *cobra.Command, args []string) error { return runDaemonUninstall(opts) },
	}
	cmd.Flags().StringVar(&opts.manager, "manager", defaultManager(), "service manager: systemd or launchd")
	cmd.Flags().MarkHidden("manager")
	return cmd
}

func runDaemonUninstall(opts *daemonUninstallOptions) error {
	s := opts.app.Streams
	path, err := servicePath(opts.app, opts.manager)
	if err != nil {
		return err
	}
	if opts.manager == serviceLaunchd {
		fmt.Fprintf(s.Out, "If it is loaded, unload it first: launchctl bootout gui/$(id -u)/%s\n", launchdLabel)
	}
	err = os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(s.Out, "No service installed at %s\n", path)
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	if opts.manager == serviceSystemd {
		// What systemctl disable removes; a link that is not reel's stays.
		link := filepath.Join(filepath.Dir(path), "default.target.wants", "reel.service")
		if dest, err := os.Readlink(link); err == nil && (dest == path || filepath.Base(dest) == "reel.service") {
			os.Remove(link)
		}
	}
	fmt.Fprintf(s.Out, "Removed %s\n", path)
	if opts.manager == serviceSystemd {
		fmt.Fprintln(s.Out, "Stop a daemon it still runs with: systemctl --user stop reel.service && systemctl --user daemon-reload")
	}
	return nil
}
