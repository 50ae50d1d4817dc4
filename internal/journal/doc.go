// Package journal keeps shell recordings: one append-only NDJSON file per
// recording, written line by line by a shell hook (or by reel itself for a
// replay), read back by reel to list, recover, replay and ingest them.
//
// # Files
//
// A recording lives in two places (see internal/config/recording.go):
//
//	$XDG_DATA_HOME/reel/recordings/<id>.ndjson   the journal, mode 0600
//	$XDG_STATE_HOME/reel/rec/<id>.lock           held by the recording's owner
//	$XDG_STATE_HOME/reel/rec/<id>.cmd            the bash hook's scratch file
//	$XDG_STATE_HOME/reel/rec/guard.lock          serialises start, stop, recover
//	$XDG_STATE_HOME/reel/rec/snapshots/<session id>.json   its crash snapshot
//	$XDG_STATE_HOME/reel/rec/last-recovery.json  the last recovery, for reel status
//
// The crash snapshot (internal/snapshot) is written by start, rewritten by
// every checkpoint and by the daemon (SnapshotActiveRecording), marked
// completed and removed by stop, and removed by the recovery that ends the
// recording; recovery takes dead recordings newest snapshot first.
//
// The journal is named by the recording's id, never by its name, so that a
// rename does not move it and a sync keeps one session for it.
//
// # Line format (version 1)
//
// Every line is one JSON object with a "t" field naming its type, ended by
// "\n". The first line is the header; the footer is written when the
// recording ends; meta lines may come anywhere after the header, before or
// after the footer.
//
//	{"t":"start","v":1,"id":"0193…","name":"deploy","kind":"shell","shell":"bash",
//	 "os":"linux","host":"web1","tty":"/dev/pts/3","cwd":"/home/u/app",
//	 "env":{"USER":"u","TERM":"xterm-256color"},"started_at":"2026-11-23T12:00:00.1Z",
//	 "owner":{"pid":4242,"start":123456,"boot":"6f0c…","host":"web1"}}
//	{"t":"cmd","n":1,"cmd":"make test","cwd":"/home/u/app","start_us":1795436477104322,
//	 "end_us":1795436479204322,"exit":0}
//	{"t":"meta","at":"…","name":"deploy-v2","tags":["prod"]}
//	{"t":"checkpoint","id":"9f2c…","label":"mid","at":"…","seq":4,"state":{"ticket":"OPS-7"}}
//	{"t":"end","ended_at":"…","commands":12,"status":"completed","name":"deploy-v2"}
//
// A command line ("cmd") is written by the shell hook after the command
// finished: n counts the commands from 1, cmd is the command line as typed
// (several lines for a multi-line command), cwd the folder it started in,
// start_us and end_us are microseconds since the Unix epoch, and exit its
// exit status. Shell, host and tty are the same for every command of a
// recording and are kept once, in the header. A replay journal (kind
// "replay") also has "skip" lines for the steps it did not run and "out"
// lines with a command's output; its "cmd" lines carry "step", the number of
// the replayed command.
//
// A checkpoint line ("checkpoint", written by reel checkpoint) names a
// point in the recording: seq is the number of events the lines before it
// become in the store (one per cmd, out and skip line, and one per line of
// an unknown type), so it is the seq of the next command's event; label is
// optional and names at most one checkpoint of the recording; at is when
// it was taken; state is the user's JSON, kept byte for byte; id is
// reel.CheckpointID of the recording's session, seq, label and at, the
// same on every read (a line without one gets that id). Checkpoint lines
// may come anywhere after the header. The format version stays 1: a reel
// that predates them keeps them as lines of an unknown type.
//
// A footer's status is "completed" for a recording that was stopped and
// "recovered" for one whose owner died; a recovered footer also says why,
// and what a torn last line held ("torn") before it was cut off.
//
// # Durability
//
// Lines are appended with O_APPEND, one write each, so a killed writer
// leaves whole lines and at most one torn last line. Each line is fsynced:
// reel's own appends (header, footer, meta, replay) call fsync before they
// return; zsh writes through an O_SYNC descriptor; bash and fish append
// with a builtin and a keeper process (reel rec keep) fsyncs the journal
// whenever it grows, so no process starts on the prompt path. A reader
// treats an unterminated or unparseable last line as torn: Repair cuts it
// off (the footer keeps its text) and every command before it is kept.
//
// # One active recording
//
// At most one shell recording is active per user and data folder. The
// kernel lock (flock) on <id>.lock is held by the recording's long-lived
// owner: bash and zsh open the lock file on a descriptor the shell keeps
// and `reel rec start`, which the shell runs with that descriptor open,
// locks it; the lock belongs to the open file description the shell shares,
// so it stays held when rec start exits and is dropped by the kernel when
// the shell dies. Fish cannot keep a descriptor, so its keeper holds the
// lock and exits when fish does. A recording is active when its lock is held
// and its owner is alive (a background job can inherit the shell's
// descriptor and outlive it, holding the lock on a dead owner's behalf).
// Alive means kill(pid, 0) succeeds or fails with EPERM, in the same boot,
// with the process start time the header recorded, so a reused pid is not
// mistaken for the owner. Start, stop and recover run under guard.lock, so
// two shells that start at once get exactly one recording.
//
// A lock file is removed when its recording ends (under the guard, after
// the footer is on disk). Its removal is also how a hook learns that its
// recording was stopped from elsewhere: the hook checks that the lock file
// exists before it writes a command.
package journal
