package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// codexMirror keeps each message out of search twice.
//
// Codex records most conversation text twice: once as the response_item the
// model saw or wrote (message, reasoning) and once as the event_msg the UI
// showed (user_message, agent_message, agent_reasoning,
// agent_reasoning_raw_content). Which comes first varies by version and
// kind, and either may be missing: old files have no event_msg, some exec
// sessions record the final answer only as agent_message, and encrypted
// reasoning has readable text only in its event_msg.
//
// The rule: whichever copy comes first makes the event, and the other copy,
// when it arrives, is RecordOK with no event. To pair them the parser keeps
// the keys of texts emitted from one side that the other side has not yet
// matched; a text from one side that matches a waiting key from the other is
// the mirror copy. Keys are hashes of the text with all white space removed,
// by category (user, assistant, reasoning), so the two sides may join parts
// differently. Reasoning is matched per part: a reasoning item whose every
// summary and content part was already emitted from agent_reasoning events
// yields nothing; otherwise only its new parts are emitted. A copy usually
// follows within a few records, so each side remembers only
// codexMirrorKeep keys.
type codexMirror struct {
	Items  []string `json:"items,omitempty"`  // emitted from response_item, not yet mirrored
	Events []string `json:"events,omitempty"` // emitted from event_msg, not yet mirrored
}

// codexMirrorKeep bounds each side of the mirror.
const codexMirrorKeep = 64

// Mirror categories.
const (
	codexMirrorUser      = "user"
	codexMirrorAssistant = "assistant"
	codexMirrorReasoning = "reasoning"
)

// codexMirrorKey returns the pairing key of a text.
func codexMirrorKey(category, text string) string {
	h := sha256.New()
	h.Write([]byte(category))
	h.Write([]byte{0})
	h.Write([]byte(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, text)))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// fromItem reports whether a text read from a response_item was already
// emitted from its event_msg; if not, it waits for its own mirror.
func (m *codexMirror) fromItem(category, text string) bool {
	return codexMirrorPair(&m.Events, &m.Items, codexMirrorKey(category, text))
}

// fromEvent reports whether a text read from an event_msg was already
// emitted from its response_item; if not, it waits for its own mirror.
func (m *codexMirror) fromEvent(category, text string) bool {
	return codexMirrorPair(&m.Items, &m.Events, codexMirrorKey(category, text))
}

// codexMirrorPair removes key from other and returns true, or adds key to
// mine and returns false.
func codexMirrorPair(other, mine *[]string, key string) bool {
	for i, k := range *other {
		if k == key {
			*other = append((*other)[:i], (*other)[i+1:]...)
			return true
		}
	}
	*mine = append(*mine, key)
	if len(*mine) > codexMirrorKeep {
		*mine = append((*mine)[:0:0], (*mine)[len(*mine)-codexMirrorKeep:]...)
	}
	return false
}
