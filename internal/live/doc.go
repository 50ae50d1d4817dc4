// Package live writes live sessions: sessions reel records as they
// happen, today the sessions built from agents' hook events
// (reel.SourceHooks). A Manager keeps the open ones; each has an
// append-only NDJSON journal, a bounded in-memory window of its newest
// events and checkpoints, and a crash snapshot (internal/snapshot).
// Recover finds the sessions a dead process left open and closes them as
// interrupted after ingesting them.
//
// # Files
//
//	$XDG_DATA_HOME/reel/live/<source>/<session id>.ndjson   the journal, 0600
//	$XDG_STATE_HOME/reel/snapshots/<session id>.json        its snapshot, 0600
//
// The session id is reel.SessionID(source, native id); for hook sessions
// the native id is "<client>:<client session id>".
//
// # Line format (version 1)
//
// Every line is one JSON object with a "t" field naming its type, ended by
// "\n". The first line is the header; the others come in the order they
// happened:
//
//	{"t":"start","v":1,"session_id":"…","source":"hooks","native_id":"claude-code:…",
//	 "parent_id":"…","title":"…","project":"/src/app","model":"…","client_version":"…",
//	 "started_at":"…","host":"web1","owner":{"pid":4242,"start":123,"boot":"…","host":"web1"}}
//	{"t":"event","seq":0,"time":"…","kind":"message","role":"user","text":"…",…}   a reel.Event
//	{"t":"checkpoint","id":"…","label":"prompt-3","time":"…","seq":12,"state":{…}}
//	{"t":"meta","time":"…","title":"…","model":"…","cost_usd":0.42}
//	{"t":"resume","time":"…","owner":{…}}    another process took the session over
//	{"t":"end","time":"…","status":"completed","events":40,"reason":"…"}
//
// An event line is the reel.Event exactly as appended, without its
// session_id and raw_index; seqs are dense from 0. A checkpoint's seq is
// the seq of the event that follows it, the count of events before it, and
// its id is derived from the session id, its number, its seq and its
// label, so it is the same wherever the journal is read. A resume after an
// end line reopens the session (an agent resumed it).
//
// # Durability
//
// The journal is opened with O_APPEND; every line is one write(2), so a
// killed writer leaves whole lines and at most one torn last line, which
// every reader treats as not there and Repair (or a reopen, or recovery)
// cuts off. The policy (Options.Sync) is one fsync per Append call after
// its last line, SyncEachAppend, by default, or one per line,
// SyncEachLine; header, checkpoint, meta, resume and end lines are each
// fsynced. A call returns only when its lines are durable. A failed write
// cuts its partial line off and makes the session unusable until it is
// opened again.
//
// An open session holds a kernel lock (flock) on its journal, so one
// process writes it at a time and recovery never touches a journal whose
// writer lives; the kernel drops the lock when the writer dies.
//
// # Snapshots and recovery
//
// A session's snapshot is written when it is created (before its first
// journal line, so every journal has one until it ends), at every
// checkpoint, and by Run every SnapshotInterval if it changed. Close marks
// it completed and removes it. A snapshot not completed whose owner is
// dead (proc.Owner.Alive) is what Recover looks for.
//
// # Memory
//
// A session keeps its newest WindowEvents events, WindowCheckpoints
// checkpoints and SnapshotResults tool result previews; older ones are
// evicted and counted (they stay in the journal, and in the store once
// synced). The labels of all its checkpoints are kept, since a label is
// unique within the whole session. Counters saturate at math.MaxInt64.
package live
