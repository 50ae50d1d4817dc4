package ingest

import "github.com/reel-sh/reel"

// The parser remembers a bounded history of the chat's messages: where
// each one's events start, so that a $rewindTo can take them back, and
// what the latest ones emitted, so that a message the CLI writes again
// emits only what it adds.

// rewind takes back every message from id on, as the CLI's loader does:
// an id it does not know takes back everything. reel forgets old marks,
// though, and an id it may have forgotten takes back nothing. A message
// from before id whose later copy emitted events after it (the CLI writes
// an old message again only when it syncs its history) still counts those
// as emitted: a copy after the rewind does not bring them back.
func (p *geminiParser) rewind(id string) {
	i := p.markIndex(id)
	if i < 0 && p.st.Evicted {
		return
	}
	var keep int64
	var tokens reel.Tokens
	if i >= 0 {
		keep, tokens = p.st.Marks[i].At, geminiUnpackTokens(p.st.Marks[i].Tokens)
		p.st.Marks = p.st.Marks[:i]
	} else {
		p.st.Marks = nil
	}
	open := p.st.Open[:0]
	for _, s := range p.st.Open {
		if s.At < keep {
			open = append(open, s)
		}
	}
	p.st.Open = open
	p.st.Events, p.st.Tokens = keep, tokens
	if p.st.Title != "" && p.st.TitleAt >= keep {
		p.st.Title, p.st.TitleAt = "", 0
	}
	p.rewound, p.keep = true, keep
}

// markIndex returns the index of id's mark, or -1.
func (p *geminiParser) markIndex(id string) int {
	for i := len(p.st.Marks) - 1; i >= 0; i-- {
		if p.st.Marks[i].ID == id {
			return i
		}
	}
	return -1
}

// addMark remembers where a new message's events start, forgetting the
// oldest non-user mark (or else the oldest) beyond geminiMarks.
func (p *geminiParser) addMark(m geminiMark) {
	p.st.Marks = append(p.st.Marks, m)
	if len(p.st.Marks) <= geminiMarks {
		return
	}
	drop := 0
	for i, old := range p.st.Marks[:len(p.st.Marks)-geminiOpen] {
		if !old.User {
			drop = i
			break
		}
	}
	p.st.Marks = append(p.st.Marks[:drop], p.st.Marks[drop+1:]...)
	p.st.Evicted = true
}

// seen returns what the recent message id has emitted, or nil.
func (p *geminiParser) seen(id string) *geminiSeen {
	for i := len(p.st.Open) - 1; i >= 0; i-- {
		if p.st.Open[i].ID == id {
			return &p.st.Open[i]
		}
	}
	return nil
}

// addSeen starts tracking a new message and returns its entry.
func (p *geminiParser) addSeen(s geminiSeen) *geminiSeen {
	if len(p.st.Open) >= geminiOpen {
		p.st.Open = append(p.st.Open[:0:0], p.st.Open[len(p.st.Open)-geminiOpen+1:]...)
	}
	p.st.Open = append(p.st.Open, s)
	return &p.st.Open[len(p.st.Open)-1]
}

// geminiPackTokens and geminiUnpackTokens keep a mark's tokens short in
// the state.
func geminiPackTokens(t reel.Tokens) [5]int64 {
	return [5]int64{t.Input, t.Output, t.CacheRead, t.CacheCreation, t.Reasoning}
}

func geminiUnpackTokens(a [5]int64) reel.Tokens {
	return reel.Tokens{Input: a[0], Output: a[1], CacheRead: a[2], CacheCreation: a[3], Reasoning: a[4]}
}
