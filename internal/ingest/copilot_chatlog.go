package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/reel-sh/reel"
)

// This file replays a VS Code chat mutation log (chatSessions/<id>.jsonl):
// a first line with the whole chat document (kind 0), then mutations of it
// (kind 1 sets a value at path k, 2 cuts the array at k to i elements and
// appends v, 3 deletes the property at k). VS Code appends the mutations
// of each save, and rewrites the file as one kind 0 line once it grows
// long.
//
// Keeping the whole document in the parser's state would copy every tool
// output and attachment of a long chat into each saved state, so the state
// keeps only what the log can still change: every request that is not yet
// finished, in full, and of the finished ones before it only where their
// events start. VS Code never changes a finished request again (its
// storage schema seals a request once its model state is complete,
// cancelled or failed) except to cut it off the end, which needs no more.
//
// A request's events are given as soon as it appears, and given again,
// by taking back its events (and those after it) with reel.Rewinder,
// whenever a mutation changes what they say: a response that streams in
// over several saves ends up as the final response, once.

// copilotLog is the mutation log dialect's memory.
type copilotLog struct {
	Meta     copilotChatMeta     `json:"meta"`
	Requests []copilotLogRequest `json:"requests,omitempty"`
}

// copilotChatMeta is what a chat document says about the session.
type copilotChatMeta struct {
	SessionID   string    `json:"session_id,omitempty"`
	CustomTitle string    `json:"custom_title,omitempty"`
	Selected    string    `json:"selected,omitempty"`
	Created     time.Time `json:"created"`
}

// copilotLogRequest is one request of the chat: where its events start and
// what they counted, and, until it is finished, the request itself.
type copilotLogRequest struct {
	Start  int64       `json:"start"`
	Count  int64       `json:"count"`
	Tokens reel.Tokens `json:"tokens"`
	Model  string      `json:"model,omitempty"`
	// Prompt is the title the first request's prompt makes.
	Prompt string `json:"prompt,omitempty"`
	Done   bool   `json:"done,omitempty"`
	// Hash identifies the events last given for the request, and Raw is
	// the request; both are dropped once it is finished for good.
	Hash string          `json:"hash,omitempty"`
	Raw  json.RawMessage `json:"raw,omitempty"`
}

// copilotReadMeta reads the session's fields of a chat document.
func copilotReadMeta(o codexObj) copilotChatMeta {
	m := copilotChatMeta{
		SessionID:   o.str("sessionId"),
		CustomTitle: claudeTitle(o.str("customTitle")),
		Selected:    o.obj("inputState").obj("selectedModel").str("identifier"),
	}
	m.Created, _ = copilotMillis(o, "creationDate")
	return m
}

// copilotLogKinds names the entry kinds of the log.
var copilotLogKinds = map[int64]string{0: "initial", 1: "set", 2: "push", 3: "delete"}

// logRecord applies one entry of a mutation log.
func (p *copilotParser) logRecord(rec *reel.RawRecord, raw []byte, o codexObj) []reel.Event {
	kind, ok := o.int("kind")
	if !ok {
		rec.Status, rec.Reason = reel.RecordUnknown, "log entry has no kind"
		return copilotOther(raw, rec.Index, p.st.LastTime)
	}
	name, known := copilotLogKinds[kind]
	if !known {
		rec.Type = fmt.Sprintf("kind %d", kind)
		rec.Status, rec.Reason = reel.RecordUnknown, fmt.Sprintf("unknown log entry kind %d", kind)
		return copilotOther(raw, rec.Index, p.st.LastTime)
	}
	rec.Type = name
	if p.st.Log == nil {
		p.st.Log = &copilotLog{}
	}
	var events []reel.Event
	touched := -1
	if kind == 0 {
		doc := codexDecode(o["v"])
		if doc == nil {
			rec.Status, rec.Reason = reel.RecordUnknown, "initial entry holds no chat document"
			return copilotOther(raw, rec.Index, p.st.LastTime)
		}
		// A second initial entry starts the chat over.
		p.logTruncate(0)
		p.st.Log.Meta = copilotReadMeta(doc)
		p.widen(p.st.Log.Meta.Created)
		events = p.logAppend(doc.list("requests"), rec.Index)
	} else {
		path, ok := copilotPath(o["k"])
		if !ok {
			rec.Status, rec.Reason = reel.RecordUnknown, "log entry has no path"
			return copilotOther(raw, rec.Index, p.st.LastTime)
		}
		if len(path) == 0 {
			// An entry for the whole document, which VS Code's own reader
			// ignores too.
			return nil
		}
		if path[0] == "requests" {
			events, touched = p.logRequests(kind, path, o, rec.Index)
		} else {
			p.logMeta(kind, path, o["v"])
		}
	}
	p.logFreeze(touched)
	p.logSummarize()
	return events
}

// logBase returns the count of events that stand before this record's.
func (p *copilotParser) logBase() int64 {
	if p.rewound {
		return p.keep
	}
	return p.st.Total
}

// logTruncate drops the requests from index from on, taking back their
// events.
func (p *copilotParser) logTruncate(from int) {
	lg := p.st.Log
	if from >= len(lg.Requests) {
		return
	}
	p.rewind(lg.Requests[from].Start)
	lg.Requests = lg.Requests[:from]
}

// logAppend adds requests at the end and returns their events.
func (p *copilotParser) logAppend(values []json.RawMessage, index int64) []reel.Event {
	lg := p.st.Log
	var events []reel.Event
	for _, v := range values {
		lg.Requests = append(lg.Requests, copilotLogRequest{Raw: bytes.Clone(v)})
		events = p.logRender(len(lg.Requests)-1, index, events)
	}
	return events
}

// logRender maps request i, which starts after the events given so far
// in this record, and appends its events.
func (p *copilotParser) logRender(i int, index int64, events []reel.Event) []reel.Event {
	lg := p.st.Log
	r := &lg.Requests[i]
	out := copilotRenderRequest(r.Raw, lg.Meta.Selected, index)
	r.Start = p.logBase() + int64(len(events))
	r.Count = int64(len(out.events))
	r.Tokens, r.Model, r.Done = out.tokens, out.model, out.done
	r.Hash = copilotEventsHash(out.events)
	r.Prompt = ""
	if i == 0 {
		r.Prompt = out.prompt
	}
	if out.version != "" {
		p.st.Version = out.version
	}
	for _, e := range out.events {
		p.widen(e.Time)
	}
	p.widen(out.last)
	return append(events, out.events...)
}

// logRequests applies an entry whose path is in the requests: to the array
// itself (requests sent, or cut off by an undo), or within one request.
// It returns the events given and the first request it touched, or -1.
func (p *copilotParser) logRequests(kind int64, path []any, o codexObj, index int64) ([]reel.Event, int) {
	lg := p.st.Log
	if len(path) == 1 {
		var values []json.RawMessage
		from := len(lg.Requests)
		switch kind {
		case 1:
			values, from = codexList(o["v"]), 0
		case 2:
			values = codexList(o["v"])
			if i, ok := o.int("i"); ok {
				from = int(min(max(i, 0), int64(len(lg.Requests))))
			}
		case 3:
			from = 0
		}
		p.logTruncate(from)
		return p.logAppend(values, index), from
	}
	i, ok := path[1].(int)
	if !ok || i < 0 || i >= len(lg.Requests) || lg.Requests[i].Raw == nil {
		// No such request, or a finished one, which VS Code no longer
		// writes to.
		return nil, -1
	}
	r := &lg.Requests[i]
	tree, err := copilotDecodeTree(r.Raw)
	if err != nil {
		return nil, -1
	}
	sub := path[2:]
	switch kind {
	case 1:
		v, err := copilotDecodeTree(copilotValue(o["v"]))
		if err != nil {
			return nil, -1
		}
		tree, ok = copilotTreeSet(tree, sub, v)
	case 2:
		var values []any
		for _, e := range codexList(o["v"]) {
			v, err := copilotDecodeTree(e)
			if err != nil {
				return nil, -1
			}
			values = append(values, v)
		}
		from, hasFrom := o.int("i")
		tree, ok = copilotTreePush(tree, sub, values, int(min(max(from, 0), 1<<30)), hasFrom)
	case 3:
		tree, ok = copilotTreeDelete(tree, sub)
	}
	if !ok {
		return nil, -1
	}
	if r.Raw, err = copilotEncodeTree(tree); err != nil {
		return nil, -1
	}
	return p.logRerender(i, index), i
}

// copilotValue returns a set entry's value, null when it has none.
func copilotValue(raw json.RawMessage) json.RawMessage {
	if claudeKind(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}

// logRerender maps request i again after a change. When its events say
// something new, they and those of the requests after it are taken back
// and given again.
func (p *copilotParser) logRerender(i int, index int64) []reel.Event {
	lg := p.st.Log
	r := &lg.Requests[i]
	out := copilotRenderRequest(r.Raw, lg.Meta.Selected, index)
	r.Done = out.done
	if copilotEventsHash(out.events) == r.Hash {
		return nil
	}
	p.rewind(r.Start)
	var events []reel.Event
	for j := i; j < len(lg.Requests); j++ {
		events = p.logRender(j, index, events)
	}
	return events
}

// logMeta applies an entry outside the requests: the session's title or
// selected model may change; the rest (input text, pending edits) says
// nothing reel keeps.
func (p *copilotParser) logMeta(kind int64, path []any, v json.RawMessage) {
	m := &p.st.Log.Meta
	key, _ := path[0].(string)
	switch {
	case key == "customTitle" && len(path) == 1:
		m.CustomTitle = ""
		if kind == 1 {
			m.CustomTitle = claudeTitle(codexStr(v))
		}
	case key == "sessionId" && len(path) == 1 && kind == 1:
		m.SessionID = codexStr(v)
	case key == "inputState" && len(path) == 1 && kind == 1:
		m.Selected = codexDecode(v).obj("selectedModel").str("identifier")
	case key == "inputState" && len(path) == 2 && path[1] == "selectedModel":
		m.Selected = ""
		if kind == 1 {
			m.Selected = codexDecode(v).str("identifier")
		}
	}
}

// logFreeze drops the requests that are finished for good from the state:
// the finished ones at the start of the chat, up to the first request the
// record touched (touched), which the rest of its save may still change.
func (p *copilotParser) logFreeze(touched int) {
	reqs := p.st.Log.Requests
	limit := len(reqs)
	if touched >= 0 {
		limit = min(touched, limit)
	}
	for i := range reqs[:limit] {
		r := &reqs[i]
		if r.Raw == nil {
			continue
		}
		if !r.Done {
			return
		}
		r.Raw, r.Hash = nil, ""
	}
}

// logSummarize sets the session's fields from the requests that stand.
func (p *copilotParser) logSummarize() {
	lg := p.st.Log
	p.st.SessionID, p.st.Title = lg.Meta.SessionID, lg.Meta.CustomTitle
	p.st.Tokens, p.st.Model, p.st.PromptTitle = reel.Tokens{}, "", ""
	for _, r := range lg.Requests {
		p.st.Tokens = p.st.Tokens.Add(r.Tokens)
		if r.Model != "" {
			p.st.Model = r.Model
		}
	}
	if len(lg.Requests) > 0 {
		p.st.PromptTitle = lg.Requests[0].Prompt
	}
	if p.st.Model == "" {
		p.st.Model = copilotModelName(lg.Meta.Selected)
	}
}

// copilotEventsHash identifies what a request's events say, wherever
// they came from.
func copilotEventsHash(events []reel.Event) string {
	h := sha256.New()
	for _, e := range events {
		e.RawIndex = 0
		b, _ := json.Marshal(&e)
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
