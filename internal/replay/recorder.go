package replay

import "github.com/reel-sh/reel/internal/journal"

// JournalRecorder records a replay in the journal at Path, each line
// fsynced before the next step runs.
type JournalRecorder struct{ Path string }

// Command appends a run step.
func (j JournalRecorder) Command(c journal.Command) error { return journal.Append(j.Path, c) }

// Output appends a step's output.
func (j JournalRecorder) Output(o journal.Output) error { return journal.Append(j.Path, o) }

// Skip appends a step that was not run.
func (j JournalRecorder) Skip(s journal.Skip) error { return journal.Append(j.Path, s) }
