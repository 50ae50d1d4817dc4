package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reel-sh/reel"
)

// Versioned is a store that can tell cheaply whether it changed. The
// server caches the session list of a Services.Store that implements
// it (internal/sqlite's Store does), and never serves a cached list
// older than the store: every request asks DataVersion first.
type Versioned interface {
	// DataVersion returns a number that differs from every number it
	// returned before once any write was committed to the store, by this
	// process or another, and stays the same between commits.
	DataVersion(ctx context.Context) (uint64, error)
}

// encoded is a response body encoded before; writeJSON writes it as it
// is.
type encoded []byte

// encode encodes v as writeJSON does.
func encode(v any) (encoded, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return encoded(buf.Bytes()), nil
}

// maxCachedLists bounds the session lists kept for one store version:
// past it the cache starts again, so odd queries cannot grow it.
const maxCachedLists = 64

// listCache keeps encoded session lists by normalised query, for one
// store version at a time.
type listCache struct {
	mu      sync.Mutex
	version uint64
	bodies  map[string]encoded
}

// get returns the body kept for key at version.
func (c *listCache) get(version uint64, key string) (encoded, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil, false
	}
	b, ok := c.bodies[key]
	return b, ok
}

// put keeps b for key at version, which was read before b's data. A
// body of a version older than the cache's is dropped.
func (c *listCache) put(version uint64, key string, b encoded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return
	case version > c.version || c.bodies == nil || len(c.bodies) >= maxCachedLists:
		c.version, c.bodies = version, map[string]encoded{}
	}
	c.bodies[key] = b
}

// filterKey is f's session filters and limit in one string; two filters
// with the same key list the same sessions (the order of sources does
// not matter, nor do repeats).
func filterKey(f reel.Filter) string {
	src := slices.Clone(f.Sources)
	slices.Sort(src)
	src = slices.Compact(src)
	var b strings.Builder
	b.WriteString(strings.Join(src, "\x00"))
	b.WriteByte(0xff)
	b.WriteString(f.Project)
	b.WriteByte(0xff)
	for _, t := range []time.Time{f.Since, f.Until} {
		if !t.IsZero() {
			b.WriteString(t.UTC().Format(time.RFC3339Nano))
		}
		b.WriteByte(0xff)
	}
	b.WriteString(strconv.Itoa(max(f.Limit, 0)))
	return b.String()
}

// cachedSessions answers the session list of f from the cache when the
// store's version is the one the cached list was read at, else reads
// and keeps it. ok is false when the store cannot tell its version; the
// caller then reads it uncached.
func (s *Server) cachedSessions(ctx context.Context, st reel.Store, f reel.Filter) (body encoded, ok bool, err error) {
	vs, isVersioned := st.(Versioned)
	if !isVersioned || s.opts.NoCache {
		return nil, false, nil
	}
	version, err := vs.DataVersion(ctx)
	if err != nil {
		s.log.Warn("session list served uncached: the store cannot tell its version", "err", err)
		return nil, false, nil
	}
	key := filterKey(f)
	if b, hit := s.sessions.get(version, key); hit {
		return b, true, nil
	}
	ss, err := st.Sessions(ctx, f)
	if err != nil {
		return nil, true, err
	}
	if ss == nil {
		ss = []reel.Session{}
	}
	if body, err = encode(ss); err != nil {
		return nil, true, err
	}
	s.sessions.put(version, key, body)
	return body, true, nil
}

// agentCache keeps the encoded agent list for Options.AgentsTTL.
type agentCache struct {
	// mu is held while the list is read, so that concurrent requests
	// after it expired wait for one reconciliation with tmux instead of
	// each running their own.
	mu sync.Mutex
	// body was read at at, with the store at version (0 if it has none)
	// and the cache at gen.
	body    encoded
	at      time.Time
	version uint64
	// gen counts the changes this server made to supervised sessions;
	// each makes the cached list old.
	gen, bodyGen uint64
	// checked is when the store's version was last asked.
	checked time.Time
}

// agentsVersionEvery is how often a cached supervised-session list asks
// whether the store (the registry) changed: a status a hook reported, the
// reaper's work or another process's write shows within it.
const agentsVersionEvery = 100 * time.Millisecond

// invalidate makes the cached list old: the server changed a session.
func (c *agentCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
}

// cachedAgents answers the agent list from the cache while it is
// younger than AgentsTTL, this server changed no session since, and the
// store (which holds the daemon's registry) committed nothing since.
//
// The version kept is the store's after the read, because reading the
// list reconciles it with tmux and saves what changed: keeping the one
// before would make every read of a busy agent's list its own miss. So
// a commit by someone else that lands while the list is being read is
// seen only when the list expires, within AgentsTTL like any change in
// tmux; one that lands at any other time is seen by the next request.
func (s *Server) cachedAgents(ctx context.Context, sup reel.Supervisor) (encoded, error) {
	vs, versioned := s.svc.Store.(Versioned)
	version := func() (uint64, bool) {
		if !versioned {
			return 0, true
		}
		v, err := vs.DataVersion(ctx)
		return v, err == nil
	}
	c := &s.agents
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	fresh := func() bool {
		return c.body != nil && c.bodyGen == c.gen && !now.Before(c.at) && now.Sub(c.at) < s.opts.AgentsTTL
	}
	// The store's version is asked at most every agentsVersionEvery: it
	// is a third of a cached answer's cost.
	if fresh() && !now.Before(c.checked) && now.Sub(c.checked) < agentsVersionEvery {
		return c.body, nil
	}
	v, ok := version()
	if !ok {
		return s.readAgents(ctx, sup)
	}
	c.checked = now
	if fresh() && c.version == v {
		return c.body, nil
	}
	gen := c.gen
	body, err := s.readAgents(ctx, sup)
	if err != nil {
		return nil, err
	}
	if v, ok = version(); ok {
		c.body, c.at, c.version, c.bodyGen = body, now, v, gen
	}
	return body, nil
}

// readAgents reads and encodes the supervisor's list.
func (s *Server) readAgents(ctx context.Context, sup reel.Supervisor) (encoded, error) {
	as, err := sup.Agents(ctx)
	if err != nil {
		return nil, err
	}
	if as == nil {
		as = []reel.AgentSession{}
	}
	return encode(as)
}
