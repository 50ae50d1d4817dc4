package agentrecord

import (
	"encoding/json"
	"fmt"

	"github.com/reel-sh/reel"
)

// Encode checks a and returns its record. EINVALID if a has no id or
// name.
func Encode(a reel.AgentSession) (string, error) {
	if a.ID == "" || a.Name == "" {
		return "", reel.Errorf(reel.EINVALID, "put agent session: no id or name")
	}
	b, err := json.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("put agent session %s: %w", a.Name, err)
	}
	return string(b), nil
}

// Decode reads back the record of the session with id, its times in UTC.
// ECORRUPT if it is not a record.
func Decode(id, record string) (reel.AgentSession, error) {
	var a reel.AgentSession
	if err := json.Unmarshal([]byte(record), &a); err != nil {
		return a, &reel.Error{Code: reel.ECORRUPT, Message: fmt.Sprintf("read agent session %s", id), Err: err}
	}
	a.CreatedAt, a.LastActivity, a.StoppedAt = a.CreatedAt.UTC(), a.LastActivity.UTC(), a.StoppedAt.UTC()
	if a.Pause != nil {
		a.Pause.At, a.Pause.ResumedAt = a.Pause.At.UTC(), a.Pause.ResumedAt.UTC()
	}
	return a, nil
}

// NameTaken is the ECONFLICT of putting a session named name that the
// session with id other has ("" when unknown: a concurrent put).
func NameTaken(name, other string) error {
	msg := fmt.Sprintf("agent session name %q is taken", name)
	if other != "" {
		msg += " by session " + reel.ShortID(other)
	}
	return reel.Errorf(reel.ECONFLICT, "%s", msg).WithHint("choose another name (-n NAME)")
}
