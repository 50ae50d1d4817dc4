package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/reel-sh/reel"
)

// store returns the store, EUNSUPPORT if there is none.
func (s *Server) store() (reel.Store, error) {
	if s.svc.Store == nil {
		return nil, unsupported("store")
	}
	return s.svc.Store, nil
}

// sessionFilter reads the source, project, since and until parameters.
func sessionFilter(r *http.Request) (reel.Filter, error) {
	f := reel.Filter{Sources: queryList(r, "source"), Project: r.URL.Query().Get("project")}
	var err error
	if f.Since, err = queryTime(r, "since"); err != nil {
		return f, err
	}
	if f.Until, err = queryTime(r, "until"); err != nil {
		return f, err
	}
	return f, nil
}

// nonNegative reads the integer parameter name, which must not be
// negative; 0 when absent.
func nonNegative(r *http.Request, name string) (int, error) {
	n, err := queryInt(r, name, 0)
	if err == nil && n < 0 {
		err = reel.Errorf(reel.EINVALID, "query parameter %q: %d is negative", name, n)
	}
	return n, err
}

// storeFilter returns the store and the request's session filters.
func (s *Server) storeFilter(r *http.Request) (reel.Store, reel.Filter, error) {
	st, err := s.store()
	if err != nil {
		return nil, reel.Filter{}, err
	}
	f, err := sessionFilter(r)
	return st, f, err
}

func (s *Server) listSessions(r *http.Request) (any, error) {
	st, f, err := s.storeFilter(r)
	if err != nil {
		return nil, err
	}
	if f.Limit, err = nonNegative(r, "limit"); err != nil {
		return nil, err
	}
	if body, ok, err := s.cachedSessions(r.Context(), st, f); ok {
		return body, err
	}
	ss, err := st.Sessions(r.Context(), f)
	if ss == nil && err == nil {
		ss = []reel.Session{}
	}
	return ss, err
}

func (s *Server) getSession(r *http.Request) (any, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	return st.Session(r.Context(), r.PathValue("id"))
}

// eventQuery reads the span parameters of the session in the path, and
// the kind parameter if kinds.
func eventQuery(r *http.Request, kinds bool) (reel.EventQuery, error) {
	q := reel.EventQuery{Session: r.PathValue("id"), Roles: queryList(r, "role"),
		FromCheckpoint: r.URL.Query().Get("from_checkpoint"), ToCheckpoint: r.URL.Query().Get("to_checkpoint")}
	if kinds {
		q.Kinds = queryList(r, "kind")
	}
	since, err := nonNegative(r, "since_seq")
	if err != nil {
		return q, err
	}
	q.SinceSeq = int64(since)
	if q.From, err = queryTime(r, "from"); err != nil {
		return q, err
	}
	if q.To, err = queryTime(r, "to"); err != nil {
		return q, err
	}
	q.Limit, err = nonNegative(r, "limit")
	return q, err
}

func (s *Server) sessionEvents(r *http.Request) (any, error) {
	q, err := eventQuery(r, true)
	if err != nil {
		return nil, err
	}
	var evs []reel.Event
	if s.svc.Timeline != nil {
		evs, err = s.svc.Timeline.Events(r.Context(), q)
	} else {
		evs, err = s.storeEvents(r.Context(), q)
	}
	if evs == nil && err == nil {
		evs = []reel.Event{}
	}
	return evs, err
}

// storeEvents answers an event query from the store, when the server has
// no timeline: the store's time range is [Since, Until), the query's
// [From, To], and stored times are whole nanoseconds.
func (s *Server) storeEvents(ctx context.Context, q reel.EventQuery) ([]reel.Event, error) {
	if s.svc.Store == nil {
		return nil, unsupported("timeline")
	}
	if q.SinceSeq > 0 || q.FromCheckpoint != "" || q.ToCheckpoint != "" {
		return nil, unsupported("timeline, which since_seq, from_checkpoint and to_checkpoint need")
	}
	sess, err := s.svc.Store.Session(ctx, q.Session)
	if err != nil {
		return nil, err
	}
	f := reel.Filter{Kinds: q.Kinds, Roles: q.Roles, Since: q.From, Limit: q.Limit}
	if !q.To.IsZero() {
		f.Until = q.To.Add(time.Nanosecond)
	}
	return s.svc.Store.Events(ctx, sess.ID, f)
}

func (s *Server) sessionReplay(r *http.Request) (any, error) {
	if s.svc.Timeline == nil {
		return nil, unsupported("timeline")
	}
	q, err := eventQuery(r, false)
	if err != nil {
		return nil, err
	}
	steps, err := s.svc.Timeline.Replay(r.Context(), q)
	if steps == nil && err == nil {
		steps = []reel.Step{}
	}
	return steps, err
}

func (s *Server) sessionDiff(r *http.Request) (any, error) {
	if s.svc.Timeline == nil {
		return nil, unsupported("timeline")
	}
	q := r.URL.Query()
	return s.svc.Timeline.Diff(r.Context(), r.PathValue("id"), q.Get("a"), q.Get("b"))
}

func (s *Server) search(r *http.Request) (any, error) {
	st, f, err := s.storeFilter(r)
	if err != nil {
		return nil, err
	}
	f.Kinds, f.Roles = queryList(r, "kind"), queryList(r, "role")
	if f.Limit, err = queryInt(r, "limit", 20); err != nil {
		return nil, err
	}
	if f.Limit < 1 {
		return nil, reel.Errorf(reel.EINVALID, "query parameter %q: %d is below 1", "limit", f.Limit)
	}
	if ref := r.URL.Query().Get("session"); ref != "" {
		sess, err := st.Session(r.Context(), ref)
		if err != nil {
			return nil, err
		}
		f.SessionID = sess.ID
	}
	hits, err := st.Search(r.Context(), reel.SearchQuery{Query: reel.ParseQuery(r.URL.Query().Get("q")), Filter: f})
	if hits == nil && err == nil {
		hits = []reel.Hit{}
	}
	return hits, err
}

// sessionPath is the path of a stored session, or of one of its parts.
func sessionPath(id, part string) string {
	p := "/v1/sessions/" + url.PathEscape(id)
	if part != "" {
		p += "/" + part
	}
	return p
}

// formatTime writes a query parameter's time.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// filterQuery writes f's session filters and limit as query parameters.
func filterQuery(f reel.Filter) url.Values {
	v := url.Values{}
	for _, s := range f.Sources {
		v.Add("source", s)
	}
	if f.Project != "" {
		v.Set("project", f.Project)
	}
	if !f.Since.IsZero() {
		v.Set("since", formatTime(f.Since))
	}
	if !f.Until.IsZero() {
		v.Set("until", formatTime(f.Until))
	}
	if f.Limit > 0 {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	return v
}

// spanQuery writes q's span as query parameters, and its kinds if kinds.
func spanQuery(q reel.EventQuery, kinds bool) url.Values {
	v := url.Values{}
	if q.SinceSeq > 0 {
		v.Set("since_seq", strconv.FormatInt(q.SinceSeq, 10))
	}
	if !q.From.IsZero() {
		v.Set("from", formatTime(q.From))
	}
	if !q.To.IsZero() {
		v.Set("to", formatTime(q.To))
	}
	if q.FromCheckpoint != "" {
		v.Set("from_checkpoint", q.FromCheckpoint)
	}
	if q.ToCheckpoint != "" {
		v.Set("to_checkpoint", q.ToCheckpoint)
	}
	if kinds {
		for _, k := range q.Kinds {
			v.Add("kind", k)
		}
	}
	for _, r := range q.Roles {
		v.Add("role", r)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// Session returns the stored session whose id is ref or starts with it.
func (c *Client) Session(ctx context.Context, ref string) (reel.Session, error) {
	var ss reel.Session
	return ss, c.do(ctx, "GET", sessionPath(ref, ""), nil, nil, &ss, true)
}

// Sessions returns the stored sessions that match f's sources, project,
// times and limit, most recently active first.
func (c *Client) Sessions(ctx context.Context, f reel.Filter) ([]reel.Session, error) {
	var ss []reel.Session
	return ss, c.do(ctx, "GET", "/v1/sessions", filterQuery(f), nil, &ss, true)
}

// Events returns the events q selects, in seq order.
func (c *Client) Events(ctx context.Context, q reel.EventQuery) ([]reel.Event, error) {
	var evs []reel.Event
	return evs, c.do(ctx, "GET", sessionPath(q.Session, "events"), spanQuery(q, true), nil, &evs, true)
}

// Replay returns the replay sequence of the span q selects.
func (c *Client) Replay(ctx context.Context, q reel.EventQuery) ([]reel.Step, error) {
	var steps []reel.Step
	return steps, c.do(ctx, "GET", sessionPath(q.Session, "replay"), spanQuery(q, false), nil, &steps, true)
}

// Diff summarises the span between checkpoints a and b of session.
func (c *Client) Diff(ctx context.Context, session, a, b string) (reel.Diff, error) {
	var d reel.Diff
	return d, c.do(ctx, "GET", sessionPath(session, "diff"), url.Values{"a": {a}, "b": {b}}, nil, &d, true)
}

// Search returns the events that best match q, best first. The server
// parses q.Query.Raw again, as reel search does.
func (c *Client) Search(ctx context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
	v := filterQuery(q.Filter)
	v.Set("q", q.Query.Raw)
	for _, k := range q.Filter.Kinds {
		v.Add("kind", k)
	}
	for _, r := range q.Filter.Roles {
		v.Add("role", r)
	}
	if q.Filter.SessionID != "" {
		v.Set("session", q.Filter.SessionID)
	}
	var hits []reel.Hit
	return hits, c.do(ctx, "GET", "/v1/search", v, nil, &hits, true)
}
