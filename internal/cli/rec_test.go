package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/reel-sh/reel/internal/runbook"
	"github.com/spf13/cobra"
)

// recEnv is a fresh reel home for one test.
type recEnv struct {
	t    *testing.T
	env  map[string]string
	root string
}

func newRecEnv(t *testing.T) *recEnv {
	root := t.TempDir()
	return &recEnv{t: t, root: root, env: map[string]string{
		"REEL_HOME": filepath.Join(root, "reel"), "HOME": filepath.Join(root, "home"), "NO_COLOR": "1",
	}}
}

// run runs reel in-process with stdin and returns its output and exit code.
func (e *recEnv) run(stdin string, args ...string) (string, string, int) {
	e.t.Helper()
	var out, errb bytes.Buffer
	app := &App{Streams: NewStreams(strings.NewReader(stdin), &out, &errb, func(k string) string { return e.env[k] }), env: e.env}
	defer app.Close()
	root := newRootCmd(app)
	withRecorder(root, app)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if err != nil {
		printError(app.Streams, err)
	}
	return out.String(), errb.String(), exitCode(err)
}

// withRecorder adds the recorder's commands when root.go does not yet.
func withRecorder(root *cobra.Command, app *App) {
	have := map[string]bool{}
	for _, c := range root.Commands() {
		have[c.Name()] = true
	}
	for _, c := range []*cobra.Command{newRecCmd(app), newInitCmd(app), newRecoverCmd(app), newReplayCmd(app)} {
		if !have[c.Name()] {
			root.AddCommand(c)
		}
	}
}

func (e *recEnv) ok(args ...string) string {
	e.t.Helper()
	out, errs, code := e.run("", args...)
	if code != 0 {
		e.t.Fatalf("reel %v exited %d:\n%s%s", args, code, out, errs)
	}
	return out
}

func (e *recEnv) dir() journal.Dir {
	return journal.Dir{Journals: filepath.Join(e.env["REEL_HOME"], "data", "recordings"), Locks: filepath.Join(e.env["REEL_HOME"], "state", "rec"),
		Snapshots: filepath.Join(e.env["REEL_HOME"], "state", "rec", "snapshots")}
}

// record starts a recording owned by this process, as a shell would own
// it, and writes commands into it as the hook does.
func (e *recEnv) record(name, cwd string, cmds ...string) *journal.Recording {
	e.t.Helper()
	d := e.dir()
	lock, err := d.PendingLock()
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { lock.Close() })
	st, err := d.Start(context.Background(), journal.StartOptions{Name: name, Shell: "bash", Cwd: cwd, Owner: journal.OwnerOf(os.Getpid()), Lock: lock})
	if err != nil {
		e.t.Fatal(err)
	}
	now := time.Now().UnixMicro()
	for i, c := range cmds {
		exit := 0
		if strings.HasPrefix(c, "false") {
			exit = 1
		}
		journal.Append(st.Recording.Path, journal.Command{T: journal.TypeCmd, N: i + 1, Cmd: c, Cwd: cwd, StartUS: now, EndUS: now + 2000, Exit: exit})
	}
	return st.Recording
}

func TestInit(t *testing.T) {
	e := newRecEnv(t)
	for _, sh := range []string{"bash", "zsh", "fish"} {
		out := e.ok("init", sh)
		if !strings.Contains(out, "__reel_precmd") && !strings.Contains(out, "__reel_postexec") {
			t.Errorf("init %s printed no hook", sh)
		}
		if !strings.Contains(out, filepath.Join(e.env["REEL_HOME"], "state", "rec")) {
			t.Errorf("init %s does not name the locks folder", sh)
		}
	}
	if fi, err := os.Stat(e.dir().Locks); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("locks folder: %v %v", fi, err)
	}
	if _, errs, code := e.run("", "init", "tcsh"); code != ExitUsage || !strings.Contains(errs, "tcsh") {
		t.Errorf("init tcsh: exit %d, %s", code, errs)
	}
}

func TestRecStart_ErrNoHook(t *testing.T) {
	e := newRecEnv(t)
	_, errs, code := e.run("", "rec", "start")
	if code != ExitUnsupported || !strings.Contains(errs, "reel init") {
		t.Errorf("rec start without the hook: exit %d, %q", code, errs)
	}
	if out, errs, _ := e.run("", "rec", "start", "--emit", "bash", "--shell-pid", "1", "--help"); out != "" || !strings.Contains(errs, "Usage") {
		t.Errorf("help with --emit went to stdout, which the hook evaluates: %q", out)
	}
}

func TestRec_Lifecycle(t *testing.T) {
	e := newRecEnv(t)
	r := e.record("deploy", "/srv/app", "make build", "false && echo no", "./deploy.sh --env staging")

	var status struct {
		Active *recSummary `json:"active"`
	}
	json.Unmarshal([]byte(e.ok("rec", "status", "--json")), &status)
	if status.Active == nil || status.Active.Name != "deploy" || status.Active.CommandCount != 3 || status.Active.Owner.PID != os.Getpid() {
		t.Fatalf("status = %+v", status.Active)
	}
	if out := e.ok("rec", "status"); !strings.Contains(out, "Recording deploy") {
		t.Errorf("status says %q", out)
	}

	var stopped recSummary
	json.Unmarshal([]byte(e.ok("rec", "stop", "--json")), &stopped)
	if stopped.Status != "completed" || stopped.CommandCount != 3 || stopped.SessionID != journal.SessionID(r.Header.ID) {
		t.Fatalf("stop = %+v", stopped)
	}
	// Ingested: show and search work as for agent sessions.
	var doc sessionDoc
	json.Unmarshal([]byte(e.ok("show", stopped.SessionID, "--json")), &doc)
	if doc.Session.Source != journal.Source || doc.Session.Title != "deploy" || doc.Session.Status != reel.StatusCompleted ||
		doc.Session.Project != "/srv/app" || len(doc.Events) != 3 || *doc.Events[1].ExitCode != 1 || doc.Events[2].Text != "./deploy.sh --env staging" {
		t.Errorf("stored session = %+v, %d events", doc.Session, len(doc.Events))
	}
	if out := e.ok("search", "staging", "--json"); !strings.Contains(out, stopped.SessionID) {
		t.Errorf("search did not find the recorded command: %s", out)
	}

	e.ok("rec", "rename", "deploy", "deploy-staging")
	e.ok("rec", "tag", "deploy-staging", "prod,eu")
	json.Unmarshal([]byte(e.ok("show", stopped.SessionID, "--json")), &doc)
	if doc.Session.Title != "deploy-staging" {
		t.Errorf("store title after rename = %q", doc.Session.Title)
	}
	var list []recSummary
	json.Unmarshal([]byte(e.ok("rec", "list", "--json")), &list)
	if len(list) != 1 || list[0].Name != "deploy-staging" || strings.Join(list[0].Tags, ",") != "prod,eu" || list[0].Recovered {
		t.Errorf("list = %+v", list)
	}
	for _, key := range []string{`"id"`, `"name"`, `"status"`, `"command_count"`, `"started_at"`, `"recovered"`} {
		if !strings.Contains(e.ok("rec", "list", "--json"), key) {
			t.Errorf("rec list --json lacks %s", key)
		}
	}
	if out := e.ok("rec", "show", "deploy-staging"); !strings.Contains(out, "./deploy.sh --env staging") || !strings.Contains(out, "✗ 1") {
		t.Errorf("rec show:\n%s", out)
	}
	if _, errs, code := e.run("", "rec", "stop"); code != ExitNotFound || !strings.Contains(errs, "no recording is active") {
		t.Errorf("stop with none active: exit %d %s", code, errs)
	}
	if _, _, code := e.run("", "rec", "rename", "deploy-staging", "no spaces"); code != ExitUsage {
		t.Errorf("rename to an invalid name: exit %d", code)
	}
	e.ok("rec", "delete", "deploy-staging")
	if _, _, code := e.run("", "rec", "show", "deploy-staging"); code != ExitNotFound {
		t.Errorf("show after delete: exit %d", code)
	}
}

// deadRecording starts a recording "lost" whose owner is a process that
// has exited, with one command and a torn line after it.
func (e *recEnv) deadRecording() *journal.Started {
	e.t.Helper()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		e.t.Fatal(err)
	}
	d := e.dir()
	lock, _ := d.PendingLock()
	o := journal.OwnerOf(os.Getpid())
	o.PID = dead.Process.Pid
	st, err := d.Start(context.Background(), journal.StartOptions{Name: "lost", Shell: "zsh", Cwd: "/w", Owner: o, Lock: lock, Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local)})
	if err != nil {
		e.t.Fatal(err)
	}
	lock.Close() // the owner is gone, and with it the lock
	journal.Append(st.Recording.Path, journal.Command{T: journal.TypeCmd, N: 1, Cmd: "make", Cwd: "/w", StartUS: 1, EndUS: 2})
	f, _ := os.OpenFile(st.Recording.Path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"t":"cmd","n":2,"cmd":"ma`)
	f.Close()
	return st
}

// TestSync_RecoversRecording checks that reel sync first recovers a
// recording whose shell died, ingests it, removes its snapshot and says
// so, and that reel status tells it before and after.
func TestSync_RecoversRecording(t *testing.T) {
	e := newRecEnv(t)
	st := e.deadRecording()
	snap := filepath.Join(e.dir().Snapshots, journal.SessionID(st.Recording.Header.ID)+".json")
	if _, err := os.Stat(snap); err != nil {
		t.Fatalf("no snapshot after start: %v", err)
	}
	var status struct {
		Recordings recordingStatus `json:"recordings"`
	}
	json.Unmarshal([]byte(e.ok("status", "--json")), &status)
	if len(status.Recordings.Interrupted) != 1 || status.Recordings.LastRecovery != nil {
		t.Fatalf("status before sync = %+v; want one interrupted recording", status.Recordings)
	}
	if out := e.ok("sync"); !strings.Contains(out, `recovered "lost" as recovered-2026-01-02-030405: 1 commands`) {
		t.Errorf("sync said %q", out)
	}
	if _, err := os.Stat(snap); !os.IsNotExist(err) {
		t.Errorf("snapshot left after sync: %v", err)
	}
	var doc sessionDoc
	json.Unmarshal([]byte(e.ok("show", journal.SessionID(st.Recording.Header.ID), "--json")), &doc)
	if doc.Session.Status != reel.StatusRecovered || len(doc.Events) != 1 {
		t.Errorf("stored = %+v, %d events", doc.Session, len(doc.Events))
	}
	status.Recordings = recordingStatus{}
	json.Unmarshal([]byte(e.ok("status", "--json")), &status)
	if r := status.Recordings; len(r.Interrupted) != 0 || r.LastRecovery == nil || len(r.LastRecovery.Recovered) != 1 {
		t.Errorf("status after sync = %+v; want the recovery and none interrupted", r)
	}
	if out := e.ok("status"); !strings.Contains(out, `"lost" as recovered-2026-01-02-030405: 1 commands, recovered`) {
		t.Errorf("status said %q", out)
	}
}

func TestRecover(t *testing.T) {
	e := newRecEnv(t)
	st := e.deadRecording()

	if out := e.ok("recover", "--dry-run"); !strings.Contains(out, "would recover") || !strings.Contains(out, "recovered-2026-01-02-030405") {
		t.Errorf("dry run said %q", out)
	}
	var res struct {
		Recovered []journal.Recovered `json:"recovered"`
	}
	json.Unmarshal([]byte(e.ok("recover", "--json")), &res)
	if len(res.Recovered) != 1 || res.Recovered[0].Name != "recovered-2026-01-02-030405" || res.Recovered[0].Commands != 1 || res.Recovered[0].Torn == nil {
		t.Fatalf("recover = %+v", res.Recovered)
	}
	var doc sessionDoc
	json.Unmarshal([]byte(e.ok("show", journal.SessionID(st.Recording.Header.ID), "--json")), &doc)
	if doc.Session.Status != reel.StatusRecovered || doc.Session.Title != "recovered-2026-01-02-030405" || len(doc.Events) != 1 {
		t.Errorf("stored = %+v, %d events", doc.Session, len(doc.Events))
	}
	if out := e.ok("recover"); !strings.Contains(out, "Nothing to recover") {
		t.Errorf("second recover said %q", out)
	}
}

func TestReplay(t *testing.T) {
	e := newRecEnv(t)
	work := t.TempDir()
	e.record("build", "/rec/proj", "mkdir -p out && echo built > out/a.txt", "chmod -R 777 out", "false", "echo second >> out/a.txt", "reel rec stop")
	e.ok("rec", "stop")

	out := e.ok("replay", "build", "--dry-run", "--json", "--cwd", work)
	if !strings.Contains(out, `"would-run"`) || !strings.Contains(out, `"chmod-777"`) {
		t.Errorf("dry run: %s", out)
	}
	if _, err := os.Stat(filepath.Join(work, "out")); err == nil {
		t.Fatal("the dry run ran a command")
	}

	stdout, errs, code := e.run("", "replay", "build", "--cwd", work, "--json")
	if code != 0 {
		t.Fatalf("replay exited %d: %s", code, errs)
	}
	var res struct {
		Result struct {
			Ran, Skipped, Failed int
		} `json:"result"`
		Replay struct {
			Name      string `json:"name"`
			SessionID string `json:"session_id"`
		} `json:"replay"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if b, _ := os.ReadFile(filepath.Join(work, "out", "a.txt")); string(b) != "built\nsecond\n" {
		t.Errorf("replay made %q", b)
	}
	if fi, _ := os.Stat(filepath.Join(work, "out")); fi.Mode().Perm() == 0o777 {
		t.Error("the dangerous chmod ran")
	}
	if res.Result.Ran != 3 || res.Result.Skipped != 2 || res.Result.Failed != 1 || res.Replay.Name != "replay-build" {
		t.Errorf("result = %+v", res)
	}
	// The replay is a session of its own, with what it skipped and why.
	var doc sessionDoc
	json.Unmarshal([]byte(e.ok("show", res.Replay.SessionID, "--json")), &doc)
	kinds := map[string]int{}
	for _, ev := range doc.Events {
		kinds[ev.Kind]++
	}
	if doc.Session.Title != "replay-build" || kinds[reel.KindCommand] != 3 || kinds[reel.KindSystem] != 2 {
		t.Errorf("replay session %q: %v", doc.Session.Title, kinds)
	}

	_, errs, code = e.run("", "replay", "build", "--cwd", work, "--danger-policy", "abort")
	if code != ExitConflict || !strings.Contains(errs, "dangerous") {
		t.Errorf("abort: exit %d %s", code, errs)
	}
	if _, _, code := e.run("", "replay", "nothing-by-that-name"); code != ExitNotFound {
		t.Errorf("unknown session: exit %d", code)
	}
	if _, _, code := e.run("", "replay", "build", "--danger-preset", "paranoid"); code != ExitUsage {
		t.Errorf("bad preset: exit %d", code)
	}
}

// TestRecordingRef_Runbook follows the path export takes for a runbook
// format: a recording's name, its stored session, and the runbook of its
// command events.
func TestRecordingRef_Runbook(t *testing.T) {
	e := newRecEnv(t)
	e.record("ship", "/srv/app", "make build", "cd dist", "scp app.tar.gz deploy@web1.internal:/srv", "ssh deploy@web1.internal ./install.sh")
	e.ok("rec", "stop")
	app := &App{Streams: NewStreams(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(k string) string { return e.env[k] }), env: e.env}
	defer app.Close()
	ref := recordingRef(app, "ship")
	if ref == "ship" {
		t.Fatal("recording name not resolved to its session")
	}
	if recordingRef(app, "3f2a9c") != "3f2a9c" {
		t.Error("a session prefix was changed")
	}
	sess, events, err := loadSession(context.Background(), app, ref, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := runbook.Write(&buf, "bash", runbook.FromEvents(sess, events), runbook.Options{Parameterize: true}); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{"# ship: exported by reel", `REMOTE="${REMOTE:-deploy@web1.internal}"`, `ssh "${REMOTE}" ./install.sh`, "cd \"$ROOT\"\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("runbook lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\ncd dist\n") {
		t.Errorf("a bare cd was kept:\n%s", got)
	}
}
